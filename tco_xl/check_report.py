"""Reports of workbook checks: text for people, JSON for scripts and JUnit XML for CI systems."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from . import __version__
from .workbook_check import CHECK_PURPOSE, CheckResult, WorkbookReport

# Findings listed per check by default; the counts always cover all of them.
DEFAULT_MAX_FINDINGS = 50
NAME_WIDTH = max(len(name) for name in CHECK_PURPOSE)


def exit_code(reports: list[WorkbookReport]) -> int:
    """Return 2 when a workbook was unreadable, 1 when a check failed, else 0."""
    if any(report.status == "unreadable" for report in reports):
        return 2
    return 1 if any(report.status == "failed" for report in reports) else 0


def _listed(check: CheckResult, max_findings: int):
    """Return the findings to list and how many are left out (``max_findings`` 0 lists all)."""
    if max_findings <= 0 or len(check.findings) <= max_findings:
        return check.findings, 0
    return check.findings[:max_findings], len(check.findings) - max_findings


def text_report(reports: list[WorkbookReport], max_findings: int = DEFAULT_MAX_FINDINGS) -> str:
    """Return the human-readable report: a block per workbook, then one summary line."""
    lines = []
    for report in reports:
        if report.error is not None:
            lines.append(f"{report.path}: unreadable: {report.error}")
            continue
        lines.append(f"{report.path}: {report.status} (template in {report.language}, region {report.region}, {report.seconds:.1f} s)")
        for check in report.checks:
            lines.append(f"  {check.name:<{NAME_WIDTH}}  {check.status:<7}  {check.summary}")
            listed, rest = _listed(check, max_findings)
            lines += [f"    {finding.describe()}" for finding in listed]
            if rest:
                lines.append(f"    ... and {rest} more (--max-findings 0 lists all)")
    counts = {status: sum(report.status == status for report in reports) for status in ("passed", "failed", "unreadable")}
    noun = "workbook" if len(reports) == 1 else "workbooks"
    lines.append(f"Checked {len(reports)} {noun}: {counts['passed']} passed, {counts['failed']} failed, {counts['unreadable']} unreadable.")
    return "\n".join(lines) + "\n"


def json_report(reports: list[WorkbookReport], max_findings: int = DEFAULT_MAX_FINDINGS) -> str:
    """Return the report as JSON: an object with the tool's version and one object per workbook."""
    workbooks = []
    for report in reports:
        entry = {"path": report.path, "status": report.status, "seconds": round(report.seconds, 3)}
        if report.error is not None:
            entry["error"] = report.error
        else:
            entry["language"] = report.language
            entry["region"] = report.region
            entry["checks"] = [_check_json(check, max_findings) for check in report.checks]
        workbooks.append(entry)
    document = {"tool": "tco-xl check", "version": __version__, "exit_code": exit_code(reports), "workbooks": workbooks}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _check_json(check: CheckResult, max_findings: int) -> dict:
    listed, rest = _listed(check, max_findings)
    return {
        "check": check.name,
        "status": check.status,
        "summary": check.summary,
        "seconds": round(check.seconds, 3),
        "findings_total": len(check.findings),
        "findings": [finding.as_dict() for finding in listed],
        "findings_left_out": rest,
    }


# Characters XML 1.0 cannot hold, which a file name or a cell text may contain.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return XML_INVALID.sub("\ufffd", text)


def junit_report(reports: list[WorkbookReport], max_findings: int = DEFAULT_MAX_FINDINGS) -> bytes:
    """Return JUnit XML: a test suite per workbook and a test case per check (or one "open" case when unreadable)."""
    root = ET.Element("testsuites", name="tco-xl check")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=_xml_text(report.path), time=f"{report.seconds:.3f}")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if report.error is not None:
            case = ET.SubElement(suite, "testcase", classname=_xml_text(report.path), name="open", time=f"{report.seconds:.3f}")
            message = _xml_text(f"{report.path}: {report.error}")
            ET.SubElement(case, "error", message=message, type="unreadable").text = message
            counts["tests"] += 1
            counts["errors"] += 1
        for check in report.checks:
            case = ET.SubElement(suite, "testcase", classname=_xml_text(report.path), name=check.name, time=f"{check.seconds:.3f}")
            counts["tests"] += 1
            if check.status == "failed":
                listed, rest = _listed(check, max_findings)
                text = "\n".join(finding.describe() for finding in listed)
                if rest:
                    text += f"\n... and {rest} more"
                ET.SubElement(case, "failure", message=_xml_text(check.summary), type="difference").text = _xml_text(text)
                counts["failures"] += 1
            elif check.status == "skipped":
                ET.SubElement(case, "skipped", message=_xml_text(check.summary))
                counts["skipped"] += 1
            else:
                ET.SubElement(case, "system-out").text = _xml_text(check.summary)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
