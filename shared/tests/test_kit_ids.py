"""Ids made by the kit (``context.new_id``): random version 4 UUIDs, never repeated across
threads or forked processes although the random bytes are read in blocks."""
import os
import threading
import uuid

from shared.kit import context


def test_ids_are_version_4_uuids_written_as_uuid_writes_them():
    for text in (context.new_id() for _ in range(2000)):
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == text


def test_ids_do_not_repeat_across_buffer_refills_and_threads():
    made: list[list[str]] = [[] for _ in range(4)]

    def make(slot):
        made[slot].extend(context.new_id() for _ in range(3000))

    threads = [threading.Thread(target=make, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for ids in made for i in ids] + [context.new_id() for _ in range(3000)]
    assert len(set(every)) == len(every) == 15000


def test_a_forked_child_never_makes_the_ids_its_parent_will_make():
    context.new_id()  # the parent now holds unread random bytes
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its ids, then exit at once
        try:
            os.write(write, "\n".join(context.new_id() for _ in range(200)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split("\n"))
    os.waitpid(pid, 0)
    parent = {context.new_id() for _ in range(200)}
    assert len(child) == 200 and not child & parent
