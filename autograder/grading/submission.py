"""One submitted notebook, read as untrusted data: refused, inspected, normalized."""

import copy
import hashlib
import json
import stat

import nbformat

MAX_NOTEBOOK_MB = 20  # a solved notebook with its figures is under 2 MB

def not_a_regular_file(path):
    """Why ``path`` (a submitted notebook) is not read, or ``None``: only regular files are.
    The submitting side of a Dask run asks before it reads the bytes a task carries."""
    if path.is_symlink():
        return "invalid submission: a symbolic link (only regular files are graded)"
    if not stat.S_ISREG(path.stat().st_mode):
        return "invalid submission: not a regular file (a device, pipe or folder)"
    if path.stat().st_size > MAX_NOTEBOOK_MB * 2**20:
        return f"invalid submission: the file is over {MAX_NOTEBOOK_MB} MB (clear the outputs?)"
    return None

def file_digest(path, refused=""):
    """The digest a result records: of the file's bytes, else "missing" or "refused" (also
    when ``refused`` says why a job graded away from the file did not get it)."""
    if refused:
        return "refused"
    if not path:
        return "missing"
    if not_a_regular_file(path):
        return "refused"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]

def grade_cells(nb):
    """``{grade_id: points}`` of the test cells of a source notebook."""
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            out[meta["grade_id"]] = float(meta.get("points", 0))
    return out

def inspect_submission(path, release_nb, refused=""):
    """``(problem, notes)``: a reason the file cannot be graded at all, and remarks on it.

    Locked cells are compared with the release the student was given. ``refused`` is why
    the file was not read where it was found, for a job graded away from it (a Dask task
    carries no bytes of a link or a device).
    """
    refused = refused or (path is not None and not_a_regular_file(path))
    if refused:
        return refused, []
    if path is None:
        return "missing: no notebook was submitted", []
    raw = path.read_bytes()
    if not raw.strip():
        return "invalid notebook: the file is empty", []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if hasattr(exc, "lineno") else ""
        return f"invalid notebook: the file is not valid JSON{where} (truncated or edited by hand?)", []
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return f"invalid notebook: not a readable .ipynb ({reason})", []
    expected = {c.metadata["nbgrader"]["grade_id"]: c for c in release_nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id")}
    present, copies = {}, {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            present.setdefault(gid, cell)
            copies[gid] = copies.get(gid, 0) + 1
    if expected and not set(expected) & set(present):
        return "wrong assignment: none of this assignment's cells are in the notebook", []
    notes = []
    for gid, ref in expected.items():
        meta = ref.metadata["nbgrader"]
        cell = present.get(gid)
        if not meta.get("locked") and not meta.get("grade"):
            continue
        if cell is None:
            notes.append(f"locked cell {gid} is missing (deleted, or the notebook is from an older "
                         "release): restored for grading")
        elif cell.source.strip() != ref.source.strip():
            notes.append(f"locked cell {gid} was edited (restored for grading)")
        elif any(cell.metadata.get("nbgrader", {}).get(k) != meta.get(k)
                 for k in ("grade", "solution", "locked", "points")):
            notes.append(f"cell {gid} had its grading metadata changed (restored for grading)")
    notes += [f"cell {gid} appears {n} times (only the first is graded)"
              for gid, n in copies.items() if n > 1 and gid in expected]
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel and kernel != release_nb.metadata.get("kernelspec", {}).get("name"):
        notes.append(f"kernelspec changed to {kernel!r} (the course kernel was used)")
    return None, notes

def normalize_submission(nb, release_nb):
    """Put back every locked cell and all grading metadata exactly as the release has them.

    nbgrader refuses a notebook whose cell metadata changed ("Inconsistent
    checksums") and restores a deleted test cell only as a commented-out copy that
    passes by doing nothing. Here a deleted cell is re-inserted after the cell that
    precedes it in the release, and edited locked cells and metadata are reset;
    nbgrader then swaps in the source versions (with the hidden tests) as usual.
    """
    release = [c for c in release_nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")]
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in release}
    kept, seen = [], set()
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid is not None and (gid not in by_id or gid in seen):
            cell.metadata.pop("nbgrader", None)  # invented or duplicated ids grade nothing
            gid = None
        if gid is not None:
            seen.add(gid)
            ref = by_id[gid]
            if cell.cell_type != ref.cell_type:
                continue  # re-inserted below with the right type
            cell.metadata = copy.deepcopy(ref.metadata)
            if not ref.metadata["nbgrader"].get("solution"):
                cell.source = ref.source
        kept.append(cell)
    nb.cells = kept
    present = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}
    for i, ref in enumerate(release):
        gid = ref.metadata["nbgrader"]["grade_id"]
        if gid in present:
            continue
        after = next((present[r.metadata["nbgrader"]["grade_id"]] for r in reversed(release[:i])
                      if r.metadata["nbgrader"]["grade_id"] in present), -1)
        nb.cells.insert(after + 1, copy.deepcopy(ref))
        present = {c.metadata.get("nbgrader", {}).get("grade_id"): j for j, c in enumerate(nb.cells)}
    nb.metadata["kernelspec"] = copy.deepcopy(release_nb.metadata.get("kernelspec", {}))
    return nb
