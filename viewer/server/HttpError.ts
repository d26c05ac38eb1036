/** An HTTP API failure with its status; the message names what was asked for and why it failed. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
