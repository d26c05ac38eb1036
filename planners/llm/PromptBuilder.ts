/**
 * Turns the task and each observation into chat messages through the editable templates.
 *
 * The scene is given twice on purpose: as readable lines (what models reason over best) and as
 * one compact "Scene JSON:" line (exact numbers, easy to quote back in arguments). Positions are
 * rounded to centimetres and angles to degrees: finer digits cost tokens and add nothing a
 * planner at this level can use.
 */
import type { TaskSpec } from '../Planner.ts';
import type { SkillSpec } from '../skills/Skill.ts';
import type { Lidar, Observation, SceneObject } from '../../sim/types.ts';
import type { ChatMessage } from './ChatProvider.ts';
import type { PromptTemplates } from './PromptTemplates.ts';

const ROBOT_TEXT: Record<string, string> = {
  diffdrive: 'a differential-drive wheeled robot (chassis 0.40 × 0.30 m, top speed about 1 m/s); it can turn on the spot',
  pusher: 'a holonomic disc robot (radius 0.20 m, top speed 1 m/s) that slides over the floor in any direction without turning and moves objects by pushing them',
  arm: 'a fixed-base three-joint robot arm (base yaw, shoulder pitch, elbow pitch; upper arm 0.40 m, forearm 0.35 m, shoulder 0.20 m above the floor); what matters is the position of its end effector (the tip)',
};

const DIRECT_HELP: Record<string, string> = {
  diffdrive:
    'left and right are wheel speed targets: both +1 drives forward at about 1 m/s, both -1 backwards; left -1 with right +1 turns counter-clockwise (to the left) on the spot, left +1 with right -1 turns clockwise.',
  pusher: 'vx and vy are velocity targets along the robot frame (the world frame when the robot starts at yaw 0), 1 = 1 m/s; the robot never turns.',
  arm: 'yaw, shoulder and elbow are joint velocity targets (1 = 1.5, 1.5 and 2 rad/s); positive shoulder or elbow pitch tilts the link down; 0 holds the pose.',
};

const SECTORS = ['front', 'front-left', 'left', 'back-left', 'back', 'back-right', 'right', 'front-right'];

export interface HistoryLine {
  t: number;
  text: string;
}

export class PromptBuilder {
  private readonly system: string;

  constructor(
    private readonly templates: PromptTemplates,
    private readonly task: TaskSpec,
    readonly mode: 'skills' | 'direct',
    /** skills: the skills offered; direct: unused. */
    private readonly skills: readonly SkillSpec[],
    /** skills: seconds between forced re-plans (0 = none); direct: control steps per decision. */
    private readonly every: number,
    private readonly historyLines: number,
  ) {
    this.system = mode === 'skills' ? this.skillsSystem() : this.directSystem();
  }

  get systemPrompt(): string {
    return this.system;
  }

  /** The first messages of a decision: system prompt and the scene as of `obs`. */
  messages(obs: Observation, history: readonly HistoryLine[], feedback: readonly string[]): ChatMessage[] {
    return [
      { role: 'system', content: this.system },
      { role: 'user', content: this.user(obs, history, feedback) },
    ];
  }

  correction(reason: string): ChatMessage {
    return { role: 'user', content: this.templates.render('correction', { reason }) };
  }

  private skillsSystem(): string {
    const skills = this.skills
      .map((s) => `- ${s.name}(${s.params.map((p) => p.name).join(', ')}): ${s.description}${s.params.length ? ` Arguments: ${s.params.map((p) => `${p.name} (${p.type}) ${p.description}`).join('; ')}.` : ''}`)
      .join('\n');
    const replan = this.every > 0 ? `, and every ${fmt(this.every)} s of simulated time while a plan runs` : '';
    return this.templates.render('system-skills', { ...this.arenaVars(), robot: this.robotText(), skills, replan_clause: replan, example: JSON.stringify(this.skillsExample()) });
  }

  private directSystem(): string {
    const space = this.task.actionSpace;
    const type = this.task.robot;
    const example = { reasoning: 'the goal is ahead and slightly left', action: space.names.map((_, i) => (i === 0 ? 0.5 : 0.7)) };
    return this.templates.render('system-direct', {
      ...this.arenaVars(),
      robot: this.robotText(),
      action_count: String(space.dim),
      action_names: space.names.join(', '),
      action_help: DIRECT_HELP[type] ?? 'Each number is a normalised motor command; 0 holds still.',
      every: String(this.every),
      every_seconds: fmt(this.every * this.task.controlPeriod),
      action_placeholders: space.names.map((n) => `<${n}>`).join(', '),
      example: JSON.stringify(example),
    });
  }

  private arenaVars() {
    const [sx, sy] = this.task.arena.size;
    return { x_min: fmt(-sx / 2), x_max: fmt(sx / 2), y_min: fmt(-sy / 2), y_max: fmt(sy / 2) };
  }

  private robotText(): string {
    return ROBOT_TEXT[this.task.robot] ?? this.task.robot;
  }

  /** A well-formed example call of the first skill, so the format is unambiguous. */
  private skillsExample(): unknown {
    const s = this.skills[0];
    if (!s) return { reasoning: 'nothing to do', plan: [] };
    const args = Object.fromEntries(s.params.map((p) => [p.name, p.type === 'number' ? 1.0 : 'box_1']));
    return { reasoning: 'one short sentence on why', plan: [{ skill: s.name, args }] };
  }

  private user(obs: Observation, history: readonly HistoryLine[], feedback: readonly string[]): string {
    const r = obs.robot;
    const yawDeg = deg(r.pose.yaw);
    const speed = Math.hypot(r.vel.vx, r.vel.vy);
    let robotState = `${r.type} at (${fmt(r.pose.x)}, ${fmt(r.pose.y)}), heading ${yawDeg}°, speed ${fmt(speed)} m/s`;
    if (r.ee) robotState += `; end effector at (${fmt(r.ee.x)}, ${fmt(r.ee.y)}, ${fmt(r.ee.z)})`;
    if (r.type === 'arm') robotState += `; joint angles ${r.joints.pos.map((a) => `${deg(a)}°`).join(', ')}`;
    const recent = this.historyLines > 0 ? history.slice(-this.historyLines) : [];
    const ask = this.mode === 'skills' ? 'Give the plan as one JSON object.' : 'Give the action as one JSON object.';
    return this.templates.render('user', {
      instruction: this.task.instruction,
      t: fmt(obs.t),
      time_limit: fmt(this.task.timeLimit),
      robot_state: robotState,
      goal: goalText(obs),
      objects: obs.objects.length ? obs.objects.map(objectLine).join('\n') : '(none)',
      lidar_max: fmt(obs.lidar.maxRange),
      lidar: lidarText(obs.lidar),
      history: recent.length ? recent.map((h) => `- t=${fmt(h.t)} s: ${h.text}`).join('\n') : '(nothing yet)',
      feedback: feedback.length ? feedback.join(' ') : 'none',
      scene_json: JSON.stringify(sceneJson(obs)),
      ask,
    });
  }
}

function goalText(obs: Observation): string {
  const g = obs.goal;
  const p = g.position.map(fmt).join(', ');
  if (g.type === 'reach') return `bring the robot's centre within ${fmt(g.tolerance)} m of (${p})`;
  if (g.type === 'push') return `push ${g.object} until its centre is within ${fmt(g.tolerance)} m of (${p})`;
  return `bring the end effector within ${fmt(g.tolerance)} m of (${p})`;
}

function objectLine(o: SceneObject): string {
  const size = o.shape === 'box' ? `${o.size.map(fmt).join(' × ')} m` : `diameter ${fmt(o.size[0])} m, height ${fmt(o.size[2])} m`;
  let line = `- ${o.id}: ${o.kind} ${o.shape}, ${size}, at (${fmt(o.x)}, ${fmt(o.y)})`;
  if (o.shape === 'box') line += `, yaw ${deg(o.yaw)}°`;
  if (o.kind === 'moving' || Math.hypot(o.vx, o.vy) > 0.05) line += `, moving at (${fmt(o.vx)}, ${fmt(o.vy)}) m/s`;
  return line;
}

/** Nearest hit in each of eight 45° sectors centred on the heading. */
export function lidarText(l: Lidar): string {
  if (l.ranges.length === 0) return 'none';
  const near = new Array<number>(SECTORS.length).fill(Infinity);
  for (let i = 0; i < l.ranges.length; i++) {
    const a = ((l.angles[i] % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
    const k = Math.round(a / (Math.PI / 4)) % SECTORS.length;
    near[k] = Math.min(near[k], l.ranges[i]);
  }
  return SECTORS.map((s, k) => `${s} ${near[k] >= l.maxRange ? 'clear' : `${fmt(near[k])} m`}`).join(', ');
}

/** The compact machine-readable scene. */
export function sceneJson(obs: Observation): Record<string, unknown> {
  const r = obs.robot;
  return {
    t: round2(obs.t),
    robot: { type: r.type, x: round2(r.pose.x), y: round2(r.pose.y), yaw_deg: deg(r.pose.yaw), ...(r.ee ? { ee: [r.ee.x, r.ee.y, r.ee.z].map(round2) } : {}) },
    goal: { type: obs.goal.type, position: obs.goal.position.map(round2), tolerance: obs.goal.tolerance, ...(obs.goal.object ? { object: obs.goal.object } : {}) },
    objects: obs.objects.map((o) => ({ id: o.id, kind: o.kind, shape: o.shape, x: round2(o.x), y: round2(o.y), size: o.size.map(round2) })),
  };
}

function round2(v: number): number {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? 0 : r; // no "-0" in prompts
}

function fmt(v: number): string {
  const s = v.toFixed(2);
  return s === '-0.00' ? '0.00' : s;
}

function deg(rad: number): number {
  const d = Math.round((rad * 180) / Math.PI);
  return d === 0 ? 0 : d;
}
