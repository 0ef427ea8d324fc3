/**
 * Reads the report named by `drperm audit --previous`: a JSON report (format 1 to 3; ids of
 * format 1 are computed from its findings, which carry every fingerprinted field) or a
 * workbook, whose Findings sheet also holds the auditor's Status, Owner and Comment. Fleet
 * reports of format 2 gave ids without the vCenter: they are matched by that id and vCenter.
 */
import type ExcelJSModule from 'exceljs';
import { readFile } from 'node:fs/promises';
import { withFindingIds } from '../audit/finding-id';
import { AUDIT_REPORT_FORMAT } from '../audit/report-model';
import type { PreviousReport } from '../audit/report-previous';
import { SEVERITIES, type Finding, type Severity } from '../audit/types';
import { InputError } from '../util/errors';
import { FINDING_HEADERS, SHEET_NAMES } from './workbook-sheets';

export async function readPreviousReport(path: string): Promise<PreviousReport> {
  if (/\.xlsx$/i.test(path)) return readPreviousWorkbook(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read previous report ${path}: ${(err as Error).message}`, {
      cause: err,
      location: { file: path },
    });
  }
  let report: {
    format?: unknown;
    formatVersion?: unknown;
    generatedAt?: unknown;
    findings?: unknown;
    vcenters?: unknown;
  };
  try {
    report = JSON.parse(text) as typeof report;
  } catch (err) {
    throw new InputError(`${path} is not a JSON report: ${(err as Error).message}`, {
      hint: '--previous takes a .json report or an .xlsx workbook of an earlier drperm audit',
      location: { file: path },
    });
  }
  if (report.format !== AUDIT_REPORT_FORMAT || !Array.isArray(report.findings)) {
    throw new InputError(`${path} is not a drperm audit report`, {
      hint: '--previous takes a .json report or an .xlsx workbook of an earlier drperm audit',
      location: { file: path },
    });
  }
  const findings = report.findings as Array<Finding & { id?: string }>;
  const ids = findings.every((f) => typeof f.id === 'string')
    ? findings.map((f) => f.id!)
    : withFindingIds(findings).map((f) => f.id);
  const formatTwoFleet =
    Array.isArray(report.vcenters) &&
    typeof report.formatVersion === 'number' &&
    report.formatVersion <= 2;
  return {
    file: path,
    ...(typeof report.generatedAt === 'string' ? { generatedAt: report.generatedAt } : {}),
    ...(formatTwoFleet ? { fleetIdsWithoutVcenter: true } : {}),
    findings: findings.map((f, i) => ({
      id: ids[i]!,
      ...(typeof f.vcenter === 'string' ? { vcenter: f.vcenter } : {}),
      severity: f.severity,
      rule: f.rule,
      tenant: f.tenant,
      principal: f.principal,
      ...(f.entity ? { entity: f.entity } : {}),
      message: f.message,
    })),
  };
}

type Row = Map<string, string>;

/** A cell's text; drperm writes inline strings, which exceljs reads back as rich text. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) {
    return (v as { richText: Array<{ text: string }> }).richText.map((r) => r.text).join('');
  }
  return String(v as string);
}

/** The Findings sheet's vCenter column (fleet reports). */
const VCENTER_HEADER = 'vCenter';

/** The format version the Summary sheet states ("drperm-audit v3"); 2 when it does not say. */
function formatOfWorkbook(workbook: ExcelJSModule.Workbook): number {
  const summary = workbook.getWorksheet(SHEET_NAMES.summary);
  let version = 2;
  summary?.eachRow((row) => {
    if (cellText(row.getCell(1).value) !== 'Report format') return;
    const m = /v(\d+)$/.exec(cellText(row.getCell(2).value));
    if (m) version = Number(m[1]);
  });
  return version;
}

async function readPreviousWorkbook(path: string): Promise<PreviousReport> {
  // exceljs only here, loaded on use: reading a workbook back is the one place drperm needs
  // a full xlsx reader.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ExcelJS = require('exceljs') as typeof ExcelJSModule;
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch (err) {
    throw new InputError(`cannot read previous workbook ${path}: ${(err as Error).message}`, {
      cause: err,
      location: { file: path },
    });
  }
  const sheet = workbook.getWorksheet(SHEET_NAMES.findings);
  const text = cellText;
  const headers = sheet ? (sheet.getRow(1).values as unknown[]).slice(1).map(text) : [];
  if (!sheet || !headers.includes(FINDING_HEADERS.id)) {
    throw new InputError(`${path} has no Findings sheet with an Id column`, {
      hint: 'use a workbook written by drperm audit (format 2 or later), or its JSON report',
      location: { file: path },
    });
  }
  const byId = new Map<string, Row>();
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells: Row = new Map(
      headers.map((h, i) => [h, text(row.getCell(i + 1).value).trim()] as const),
    );
    const id = cells.get(FINDING_HEADERS.id) ?? '';
    // Rows listing findings resolved before that report are not findings of it.
    if (!id.startsWith('F-') || cells.get(FINDING_HEADERS.change) === 'resolved') return;
    const seen = byId.get(id);
    if (!seen) byId.set(id, cells);
    else {
      // Review cells may be on any of the finding's evidence rows.
      for (const h of [FINDING_HEADERS.status, FINDING_HEADERS.owner, FINDING_HEADERS.comment]) {
        if (!seen.get(h) && cells.get(h)) seen.set(h, cells.get(h)!);
      }
    }
  });
  const fleet = headers.includes(VCENTER_HEADER);
  return {
    file: path,
    ...(fleet && formatOfWorkbook(workbook) <= 2 ? { fleetIdsWithoutVcenter: true } : {}),
    findings: [...byId.entries()].map(([id, c]) => {
      const severity = c.get('Severity') as Severity;
      const path = c.get('Object path');
      const status = c.get(FINDING_HEADERS.status);
      const owner = c.get(FINDING_HEADERS.owner);
      const comment = c.get(FINDING_HEADERS.comment);
      const vcenter = c.get(VCENTER_HEADER);
      return {
        id,
        ...(vcenter ? { vcenter } : {}),
        severity: SEVERITIES.includes(severity) ? severity : 'info',
        rule: c.get('Rule') ?? '',
        tenant: c.get('Tenant') ?? '',
        principal: c.get('Principal') ?? '',
        // The sheet shows the path and type; moref and vCenter are not needed to match by id.
        ...(path
          ? { entity: { vcenter: '', moref: '', type: c.get('Object type') ?? '', path } }
          : {}),
        message: c.get('Finding') ?? '',
        ...(status || owner || comment
          ? {
              review: {
                ...(status ? { status } : {}),
                ...(owner ? { owner } : {}),
                ...(comment ? { comment } : {}),
              },
            }
          : {}),
      };
    }),
  };
}
