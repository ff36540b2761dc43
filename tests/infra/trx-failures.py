#!/usr/bin/env python3
"""Prints each failed test of a trx file: its name, duration and the first lines of its message and stack."""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
MESSAGE_LINES, STACK_LINES = 20, 4


def head(text, count):
    lines = (text or "").strip().splitlines()
    more = f"\n      … {len(lines) - count} more lines" if len(lines) > count else ""
    return "\n".join("      " + line for line in lines[:count]) + more


def main(path):
    failed = [r for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", NS) if r.get("outcome") == "Failed"]
    print(f"==> {len(failed)} failed test(s):")
    for result in failed:
        print(f"  FAILED {result.get('testName')} [{result.get('duration')}]")
        print(head(result.findtext(".//t:ErrorInfo/t:Message", "", NS), MESSAGE_LINES))
        print(head(result.findtext(".//t:ErrorInfo/t:StackTrace", "", NS), STACK_LINES))


if __name__ == "__main__":
    main(sys.argv[1])
