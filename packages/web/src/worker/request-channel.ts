// One request/response channel to a module worker, shared by the sampling and training clients:
// each request gets an id; the worker answers it with events, then one result or one error.

/** What a worker posts back for request `id`. */
export type ChannelReply<E> =
  | { id: number; type: 'event'; event: E }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; message: string };

interface Pending<E> {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onEvent?: (e: E) => void;
}

export class RequestChannel<Req, E, R extends ChannelReply<E> = ChannelReply<E>> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending<E>>();
  private nextId = 1;

  /**
   * Starts `worker`; `what` names it in the error every open request gets when it fails
   * ("the sampling worker failed: …"); `errorOf` makes the rejection for an error reply.
   */
  constructor(worker: Worker, what: string, errorOf: (reply: Extract<R, { type: 'error' }>) => Error = (r) => new Error(r.message)) {
    this.worker = worker;
    worker.onmessage = (ev: MessageEvent<R>) => {
      const reply = ev.data;
      const p = this.pending.get(reply.id);
      if (!p) return;
      if (reply.type === 'event') return p.onEvent?.((reply as Extract<ChannelReply<E>, { type: 'event' }>).event);
      this.pending.delete(reply.id);
      if (reply.type === 'result') p.resolve((reply as Extract<ChannelReply<E>, { type: 'result' }>).value);
      else p.reject(errorOf(reply as Extract<R, { type: 'error' }>));
    };
    worker.onerror = (ev) => {
      ev.preventDefault();
      const err = new Error(`the ${what} worker failed: ${ev.message || 'it could not start'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  /** Sends `req` under a new id; resolves with the worker's result, calling `onEvent` for its events until then. */
  request<T>(req: Req, onEvent?: (e: E) => void, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.worker.postMessage({ id, req }, transfer);
    });
  }

  /** Sends a message outside any request (id 0, never answered): how Stop reaches a run in progress. */
  post(req: { type: string }): void {
    this.worker.postMessage({ id: 0, req });
  }
}
