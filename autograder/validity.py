"""``python -m autograder validity``: the mutation suite (``autograder/mutants``), graded for real.

Every mutant is one student who submits the solution with one mistake (a bug) or one
correct alternative implementation, graded by the same pipeline as a class. A bug is
*caught* when every test cell that judges its function loses points; an alternative is
*accepted* when it gets full marks. The report also gives each bug's *collateral*: points
lost on tests of other functions, which a test that judges one function should not cost.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import assignments
from autograder.demo import edited_notebook
from autograder.mutants import mutants_for


@dataclass
class Verdict:
    assignment: str
    student: str
    mutant: object
    ok: bool  # caught (bug) or accepted (alternative)
    lost_own: float
    collateral: float  # bugs: points lost on tests that do not judge the mutated function
    note: str


def student_id(assignment, k, mutant):
    return f"m{assignment[:2]}-{k:02d}-{'alt' if mutant.correct else 'bug'}"


def build(dest, names):
    """One student per mutant, in nbgrader's ``submitted/`` layout; returns ``{student: mutant}``."""
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    students = {}
    for name in names:
        for k, mutant in enumerate(mutants_for(name)):
            student = student_id(name, k, mutant)
            nb = edited_notebook(name, [(mutant.find, mutant.replace, mutant.why)], cell=mutant.function)
            folder = dest / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
            students[student] = (name, mutant)
    return students


def judge(results, students):
    verdicts = []
    by_student = {r.student: r for r in results}
    for student, (name, mutant) in students.items():
        r = by_student[student]
        own = [g for g in mutant.judged_by if g in r.max_scores]
        lost = {g: r.max_scores[g] - r.scores.get(g, 0.0) for g in r.max_scores}
        missing = sorted(set(mutant.judged_by) - set(r.max_scores))
        if mutant.correct:
            ok = r.score == r.max_score and not missing
            failing = [g for g, x in lost.items() if x > 0]
            note = f"lost {', '.join(failing)}" if failing else ""
            collateral = 0.0
        else:
            ok = bool(own) and all(lost[g] > 0 for g in own)
            collateral = sum(x for g, x in lost.items() if g not in mutant.judged_by)
            missed = [g for g in own if lost[g] == 0]
            others = [g for g, x in lost.items() if x > 0 and g not in mutant.judged_by]
            note = "; ".join(filter(None, [f"full marks on {', '.join(missed)}" if missed else "",
                                           f"also lost {', '.join(others)}" if others else ""]))
        if missing:
            note = f"no test cell {', '.join(missing)}; " + note
        if r.problems:
            note += ("; " if note else "") + "; ".join(r.problems)
        verdicts.append(Verdict(name, student, mutant, ok, sum(lost[g] for g in own),
                                collateral, note))
    return verdicts


def table(verdicts, names):
    lines = ["| notebook | bugs caught | alternatives accepted | bugs costing other functions | "
             "mean collateral (points) |", "|---|---|---|---|---|"]
    for name in names:
        mine = [v for v in verdicts if v.assignment == name]
        bugs = [v for v in mine if not v.mutant.correct]
        alts = [v for v in mine if v.mutant.correct]
        costly = [v for v in bugs if v.collateral > 0]
        mean = sum(v.collateral for v in bugs) / len(bugs) if bugs else 0.0
        lines.append(f"| {name} | {sum(v.ok for v in bugs)}/{len(bugs)} | {sum(v.ok for v in alts)}/"
                     f"{len(alts)} | {len(costly)}/{len(bugs)} | {mean:.2f} |")
    wrong = [v for v in verdicts if not v.ok]
    if wrong:
        lines += ["", "Not as expected:", ""]
        lines += [f"- {v.student} ({v.assignment}, {v.mutant.function}, "
                  f"{'alternative' if v.mutant.correct else 'bug'}): {v.mutant.why} -- {v.note}"
                  for v in wrong]
    collateral = [v for v in verdicts if not v.mutant.correct and v.ok and v.collateral > 0]
    if collateral:
        lines += ["", "Caught, but also cost points on other functions' tests:", ""]
        lines += [f"- {v.student} ({v.mutant.function}): {v.mutant.why} -- {v.note}" for v in collateral]
    return "\n".join(lines)


def main_validity(args):
    from autograder.grading import grade
    from autograder.settings import Settings

    names = args.only.split(",") if args.only else assignments()
    work = Path(args.work).resolve()
    students = build(work / "submitted", names)
    if not students:
        print("no mutants for " + ", ".join(names))
        return 1
    results, _, reference_failures = grade(work / "submitted", work, jobs=args.jobs,
                                           settings=Settings(cell_timeout=45), feedback=False)
    verdicts = judge(results, students)
    report = table(verdicts, names)
    (work / "validity.md").write_text(report + "\n")
    print(report)
    print(f"\nwritten to {work / 'validity.md'}")
    return 1 if reference_failures or not all(v.ok for v in verdicts) else 0
