"""PyTorch in a second process, imported while the first levels' tests run.

Importing PyTorch takes 2-3 s, a quarter of a warm level 3. A level run whose tests need it starts this
worker as soon as the tests are collected: the worker imports PyTorch on the machine's other core while
levels 1-2 run here, then answers the oracle's questions (``utils.torch_oracle.ask``): a function of
``utils.torch_oracle`` and its arguments go down a pipe, pickled, and PyTorch's numbers come back.

Whatever goes wrong with the worker, the answer is computed here instead, by the same function: a
question that does not pickle (a lambda), an exception in the worker (raised here again, with its
traceback), a worker that died. A question interrupted (a test's time limit) stops the worker, since
its answer could no longer be matched to its question. So a verdict never depends on the worker.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from runner import manifest


class Worker:
    """The worker process, and ``call`` to ask it."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(manifest.ROOT), env.get("PYTHONPATH")) if p)
        self.proc: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "runner.torch_worker"], cwd=manifest.ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def call(self, fn, *args):
        """``fn(*args)``, computed by the worker when it can be."""
        if self.proc is None:
            return fn(*args)
        try:
            question = pickle.dumps((fn, args))
        except Exception:  # noqa: BLE001 - anything that does not pickle is answered here
            return fn(*args)
        try:
            self.proc.stdin.write(question)
            self.proc.stdin.flush()
            ok, answer = pickle.load(self.proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):  # the worker is gone
            self.stop()
            return fn(*args)
        except BaseException:  # interrupted while waiting: the pipe's next answer would be this one's
            self.stop()
            raise
        return answer if ok else fn(*args)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass


def serve() -> None:
    """The worker: import PyTorch, then answer each question from stdin on the original stdout."""
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    import torch  # noqa: F401 - the reason for this process: paid while the first levels run

    questions = sys.stdin.buffer
    while True:
        try:
            fn, args = pickle.load(questions)
        except EOFError:  # the run is over
            return
        try:
            answer = (True, fn(*args))
        except Exception:  # noqa: BLE001 - asked again in the run's own process, which raises it there
            answer = (False, None)
        pickle.dump(answer, answers)
        answers.flush()


if __name__ == "__main__":
    serve()
