/**
 * A strict well-formedness check for the XML the evaluation writes (JUnit, the HTML report's
 * markup): balanced tags, quoted attributes, only the five predefined entities or character
 * references, no raw `<` or `&` in text. Throws with the offset of the first problem.
 */
export function checkXml(text: string): void {
  const stack: string[] = [];
  let i = text.startsWith('<?xml') ? text.indexOf('?>') + 2 : 0;
  const fail = (why: string): never => {
    throw new Error(`not well-formed at ${i}: ${why}: ${JSON.stringify(text.slice(i, i + 60))}`);
  };
  const checkText = (s: string) => {
    const bad = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(s);
    if (bad) fail('bare &');
    if (s.includes('<')) fail('bare <');
  };
  let roots = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    checkText(chunk);
    if (stack.length === 0 && chunk.trim() !== '') fail('text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unclosed comment');
      i = end + 3;
      continue;
    }
    const gt = text.indexOf('>', i);
    if (gt < 0) fail('unclosed tag');
    const tag = text.slice(i + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) fail(`unexpected </${name}>`);
    } else {
      const m = /^([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)$/.exec(tag);
      if (!m) fail('malformed tag or attribute');
      for (const attr of m![2].matchAll(/="([^"]*)"/g)) checkText(attr[1]);
      if (stack.length === 0) roots++;
      if (m![3] !== '/') stack.push(m![1]);
    }
    i = gt + 1;
  }
  if (stack.length > 0) throw new Error(`not well-formed: unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`not well-formed: ${roots} root elements`);
}
