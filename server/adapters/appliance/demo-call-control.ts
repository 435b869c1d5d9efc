/**
 * The call control of the demo PBX, over its loopback control endpoint: `GET /status` reports
 * `activeCalls` and `draining`, `POST /drain` and `POST /undrain` switch it. Whatever the answer —
 * refused, late, not 2xx, not the JSON expected — it becomes a typed `CallControlError`.
 *
 * The demo's calls and its drain live in its process: while it is not running no call is in
 * progress (0), none can arrive, and there is nothing to drain or undrain (a fresh start is
 * undrained). An installation onto a stopped appliance — the admin repairing a broken one — is
 * therefore not held up by the drain.
 */
import { z } from 'zod';
import { CallControlError, type CallControlErrorCode } from '../../domain/errors/index.js';
import type { CallControl } from './appliance-runtime.js';

const controlAnswer = z.object({ activeCalls: z.number().int().min(0), draining: z.boolean() });
type ControlAnswer = z.infer<typeof controlAnswer>;

export class DemoCallControl implements CallControl {
  readonly supported = true;

  /** `port()`: the control endpoint's port while the PBX runs, null while it does not. */
  constructor(
    private readonly port: () => number | null,
    private readonly timeoutMs = 2000,
  ) {}

  async activeCalls(): Promise<number> {
    if (this.port() === null) return 0;
    return (await this.request('GET', '/status', 'ACTIVE_CALLS_UNREADABLE')).activeCalls;
  }

  async drain(): Promise<void> {
    if (this.port() === null) return;
    await this.switchTo(true, 'DRAIN_FAILED');
  }

  async undrain(): Promise<void> {
    if (this.port() === null) return;
    await this.switchTo(false, 'UNDRAIN_FAILED');
  }

  private async switchTo(draining: boolean, code: CallControlErrorCode): Promise<void> {
    const answer = await this.request('POST', draining ? '/drain' : '/undrain', code);
    if (answer.draining !== draining) {
      throw new CallControlError(code, `The demo PBX answered draining=${answer.draining} after being asked for ${draining}.`, { answer });
    }
  }

  private async request(method: 'GET' | 'POST', path: string, code: CallControlErrorCode): Promise<ControlAnswer> {
    const url = `http://127.0.0.1:${this.port()}${path}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason = e.name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : (e.cause?.code ?? e.message);
      throw new CallControlError(code, `${method} ${path} of the demo PBX failed: ${reason}`, { reason });
    }
    if (!res.ok) throw new CallControlError(code, `${method} ${path} of the demo PBX answered HTTP ${res.status}.`, { status: res.status });
    const answer = parseAnswer(text);
    if (!answer) {
      throw new CallControlError(code, `${method} ${path} of the demo PBX answered something other than its status.`, {
        body: text.slice(0, 500),
      });
    }
    return answer;
  }
}

function parseAnswer(text: string): ControlAnswer | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
  const parsed = controlAnswer.safeParse(body);
  return parsed.success ? parsed.data : null;
}
