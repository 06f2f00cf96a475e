"""The benchmark harness cannot rot: each benchmark's smallest configuration runs once.

No timing is asserted (a test machine's timings mean nothing); only that every benchmark runs
and returns well-formed figures, and that the command line prints its table.
"""

from __future__ import annotations

import importlib
import math

import pytest

from benchmarks import BENCHMARKS
from benchmarks.__main__ import table
from benchmarks._timing import Figure, Target


@pytest.mark.parametrize("name", BENCHMARKS)
def test_smallest_configuration_runs_and_returns_figures(name: str) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    assert module.NAME == name
    reason = module.unavailable() if hasattr(module, "unavailable") else None
    if reason is not None:
        assert reason.strip()  # a module that cannot run says why
        pytest.skip(reason)
    figures = module.run(module.SMOKE)
    assert figures and all(isinstance(figure, Figure) for figure in figures)
    for figure in figures:
        assert figure.benchmark == name and figure.name and figure.measured
        assert math.isfinite(figure.ratio)  # an overhead share may be < 0 on 2 calls
        assert figure.target is None or isinstance(figure.target, Target)
        assert figure.passed in (True, False, None)
    assert any(figure.target is not None for figure in figures)
    assert len(table(figures).splitlines()) == 2 + len(figures)


def test_the_command_rejects_an_unknown_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--only", "nonsense"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_seeded_jobs_are_listed_after_existing_ones_and_show_completed() -> None:
    # The listing benchmark relies on pinpoint_mock.backend.seeding: check what it seeds.
    from benchmarks import _aws
    from pinpoint_mock import mock_pinpoint_imports
    from pinpoint_mock.backend.errors import BadRequestError
    from pinpoint_mock.backend.seeding import seed_import_jobs

    pinpoint = _aws.client("pinpoint")
    with mock_pinpoint_imports() as mock:
        backend = _aws.backend_of(mock)
        app_id = _aws.create_app(pinpoint, "seeded")
        first = seed_import_jobs(backend, app_id, 2, completed=False)
        later = seed_import_jobs(backend, app_id, 3, endpoints=250)
        items = pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"]
        assert [item["Id"] for item in items] == [job.id for job in first + later]
        assert [item["JobStatus"] for item in items] == ["CREATED"] * 2 + ["COMPLETED"] * 3
        assert items[-1]["TotalPieces"] == 3 and items[-1]["TotalProcessed"] == 250
        dimensional = pinpoint.create_segment(
            ApplicationId=app_id, WriteSegmentRequest={"Name": "d"}
        )["SegmentResponse"]["Id"]
        with pytest.raises(BadRequestError):
            seed_import_jobs(backend, app_id, 1, segment_id=dimensional)


def test_bracketed_blocks_alternate_floor_and_ours_and_compare_each_with_its_neighbours() -> None:
    from benchmarks._timing import bracketed_blocks, bracketed_differences, bracketed_ratios

    ran: list[str] = []
    floors, ours = bracketed_blocks(lambda: ran.append("F"), lambda: ran.append("O"), 2, 3)
    assert "".join(ran) == "FF" + "OOFF" * 3  # F O F O F O F, two calls a block
    assert len(floors) == 4 and len(ours) == 3
    assert bracketed_ratios([3.0, 6.0], [1.0, 3.0, 3.0]) == [1.5, 2.0]
    assert bracketed_differences([3.0, 6.0], [1.0, 3.0, 3.0]) == [1.0, 3.0]
    with pytest.raises(ValueError):
        bracketed_blocks(lambda: None, lambda: None, 0, 1)


def test_the_floor_client_is_answered_by_its_floor_while_the_mock_is_active() -> None:
    # per_call times the floor in the mock's session: nothing of the mock may run on it.
    from benchmarks import _aws
    from pinpoint_mock import mock_pinpoint_imports

    pinpoint = _aws.client("pinpoint")
    floor = _aws.floor_client("pinpoint")
    with mock_pinpoint_imports() as mock:
        app_id = _aws.create_app(pinpoint, "floored")
        pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
            "Format": "CSV", "S3Url": "s3://no-such-bucket/x.csv", "RoleArn": _aws.ROLE_ARN})
        call = lambda: pinpoint.get_import_jobs(ApplicationId=app_id)  # noqa: E731
        captured = _aws.capture(pinpoint, "GetImportJobs", call)
        empty = _aws.Captured(captured.status, captured.headers, b'{"Item":[]}')
        _aws.add_floor(floor, "GetImportJobs", empty)
        _aws.add_floor(floor, "GetImportJobs", captured)  # replaces the first answer
        recorded = len(mock.calls)
        answer = floor.get_import_jobs(ApplicationId=app_id)
        assert len(mock.calls) == recorded
        assert len(answer["ImportJobsResponse"]["Item"]) == 1
        assert answer["ImportJobsResponse"] == pinpoint.get_import_jobs(
            ApplicationId=app_id)["ImportJobsResponse"]
        assert len(mock.calls) == recorded + 1


def test_the_instruction_count_runs_its_measured_calls() -> None:
    # benchmarks.instructions runs this under callgrind; here without it, a few calls.
    from benchmarks import instructions

    for which in ("ours", "floor", "none"):
        instructions.run_calls("PROCESSING", which, 2)
    assert instructions.main(["NOSUCHSTATE"]) == 2
