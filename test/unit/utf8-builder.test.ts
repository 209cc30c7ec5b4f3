import { describe, expect, it } from 'vitest';
import { Utf8Builder } from '../../scripts/core/utf8-builder.ts';

describe('the UTF-8 builder', () => {
  it('gives the bytes Buffer.from gives for the joined text, whatever the script, across growth', () => {
    const pieces = ['Anna', 'Ёлка, «тигр»', '图书馆', '🌲 astral', 'lone \ud83d surrogate', '', 'x'.repeat(5000)];
    const builder = new Utf8Builder(16);
    let joined = '';
    for (let round = 0; round < 50; round += 1)
      for (const piece of pieces) {
        builder.append(piece);
        joined += piece;
      }
    expect(builder.byteLength).toBe(Buffer.byteLength(joined));
    expect(builder.view().equals(Buffer.from(joined, 'utf8'))).toBe(true);
  });

  it('hands over a copy and starts again empty, so a page taken is not overwritten by the next', () => {
    const builder = new Utf8Builder();
    builder.append('первая страница');
    const first = builder.take();
    builder.append('second page');
    expect(first.toString('utf8')).toBe('первая страница');
    expect(builder.take().toString('utf8')).toBe('second page');
    builder.append('dropped');
    builder.clear();
    expect(builder.byteLength).toBe(0);
  });
});
