/** bench/api/io-pressure.ts: the kernel's I/O pressure counters, read and differenced. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ioStallMs, readIoPressure } from '../../../bench/api/io-pressure.js';

const tmp = mkdtempSync(join(tmpdir(), 'partyline-psi-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('io-pressure', () => {
  it('reads both totals and gives the stall ms between two readings', () => {
    const file = join(tmp, 'io');
    writeFileSync(
      file,
      'some avg10=0.00 avg60=0.01 avg300=0.20 total=203806698\n' +
        'full avg10=0.00 avg60=0.00 avg300=0.10 total=148951422\n',
    );
    const a = readIoPressure(file);
    assert.deepEqual(a, { someUs: 203806698, fullUs: 148951422 });
    writeFileSync(
      file,
      'some avg10=1.00 avg60=0.01 avg300=0.20 total=204006698\n' +
        'full avg10=0.50 avg60=0.00 avg300=0.10 total=149001422\n',
    );
    assert.deepEqual(ioStallMs(a, readIoPressure(file)), { some: 200, full: 50 });
  });

  it('is undefined without PSI or with a file it does not understand, and the stall then NaN', () => {
    assert.equal(readIoPressure(join(tmp, 'missing')), undefined);
    const file = join(tmp, 'odd');
    writeFileSync(file, 'some avg10=0.00\n');
    assert.equal(readIoPressure(file), undefined);
    assert.deepEqual(ioStallMs(undefined, { someUs: 1, fullUs: 1 }), {
      some: Number.NaN,
      full: Number.NaN,
    });
  });

  it('reads this machine when it has PSI', () => {
    const p = readIoPressure();
    if (p) assert.ok(p.someUs >= p.fullUs, JSON.stringify(p));
  });
});
