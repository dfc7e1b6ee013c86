"""The GIL is released while Rust works; awaitables; the runtime survives fork()."""

import asyncio
import os
import sys
import threading
import time

import pytest

import leadgen


def _contacts(n, tag):
    return [leadgen.Contact(email=f"{tag}{i}@gil.test", full_name=f"Person {i}") for i in range(n)]


def test_other_threads_run_while_rust_works(tmp_path):
    acme = leadgen.open(str(tmp_path / "gil.db")).tenant("acme")
    ticks, stop = [], threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.monotonic())

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        n = 2_000
        while True:  # grow the batch until one call takes long enough to observe
            batch = _contacts(n, f"b{n}-")
            start = time.monotonic()
            acme.upsert_contacts(batch)
            end = time.monotonic()
            if end - start > 0.3 or n >= 256_000:
                break
            n *= 2
    finally:
        stop.set()
        worker.join()
    assert end - start > 0.3, "the call was too fast to observe"
    margin = 0.05
    during = [t for t in ticks if start + margin < t < end - margin]
    # With the GIL held for the whole call, the spinning thread could not run at all.
    assert len(during) > 100, f"only {len(during)} ticks of another thread during a {end - start:.2f}s call"


def test_async_variant_is_awaitable_and_leaves_the_loop_free(acme):
    async def main():
        ticks = 0

        async def heartbeat():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        beat = asyncio.ensure_future(heartbeat())
        report = await acme.upsert_contacts_async(_contacts(5_000, "async"))
        beat.cancel()
        return report, ticks

    report, ticks = asyncio.run(main())
    assert report.inserted == 5_000
    assert ticks > 0
    assert acme.count_contacts() == 5_000


def test_async_errors_raise_mapped_exceptions(acme):
    async def main():
        await acme.upsert_contacts_async([leadgen.Contact(email_status="bogus")])

    with pytest.raises(leadgen.InvalidInputError):
        asyncio.run(main())


def test_async_needs_a_running_loop(acme):
    with pytest.raises(RuntimeError):
        acme.upsert_contacts_async([])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX")
def test_runtime_survives_fork(tmp_path):
    parent = leadgen.open(str(tmp_path / "parent.db")).tenant("acme")
    parent.upsert_contact(leadgen.Contact(email="before@fork.test"))
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code, never return into pytest
        code = 1
        try:
            child = leadgen.open(str(tmp_path / "child.db")).tenant("acme")
            child.upsert_contact(leadgen.Contact(email="in@child.test"))
            assert child.count_contacts() == 1
            try:
                parent.count_contacts()
            except leadgen.StoreConnectionError as e:
                assert "fork" in str(e)
                code = 0
            else:
                code = 2
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert parent.count_contacts() == 1  # the parent's runtime is untouched
