"""The browser's types of API objects are generated from the OpenAPI schema, never edited by
hand: the committed file must be what the current schema gives."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_generated_types_match_the_schema(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", "scripts/api-types", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "ENSEMBLE_DATA_DIR": str(tmp_path)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
