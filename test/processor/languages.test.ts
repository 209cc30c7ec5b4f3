import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderIssueForm } from '../../scripts/core/issue-form.ts';
import { BOT_COMMENT_MARKER } from '../../scripts/core/messages.ts';
import { letterDigest } from '../../scripts/core/tally.ts';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { formFields, makeCheckout, runProcessor, signatureFiles, syncCheckout } from './harness.ts';

let fake: FakeGitHub;
afterEach(async () => {
  await fake?.close();
});

const fieldsOf = (file: string) => formFields(file);
const signRu = await fieldsOf('sign-ru.yml');
const signZh = await fieldsOf('sign-zh.yml');
const withdrawZh = await fieldsOf('withdraw-zh.yml');
const body = (fields: typeof signRu, values: Record<string, string | boolean[]>) => renderIssueForm(fields, values);
const receipt = (n: number) =>
  fake.issue(n).comments.find((comment) => comment.body.startsWith(BOT_COMMENT_MARKER))!.body;

describe('signers in their own language', () => {
  it('accepts issues opened with the former Chinese form, whose labels had ASCII punctuation, as well as the current one', async () => {
    // The current form writes "您的姓名（将按此显示）"; issues opened before it landed say "您的姓名(将按此显示)".
    expect(signZh.map((field) => field.label).join('')).toMatch(/（/);
    const former = signZh.map((field) => ({
      ...field,
      label: field.label.replaceAll('（', '(').replaceAll('）', ')'),
    }));
    expect(former.map((field) => field.label)).not.toEqual(signZh.map((field) => field.label));
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          title: '签名: 王伟',
          body: body(former, { name: '王伟', country: '俄罗斯', reason: '保护豹子', consent: [true] }),
          labels: ['signature'],
          user: { login: 'wangwei', id: 502 },
        },
        {
          title: '签名：李娜',
          body: body(signZh, { name: '李娜', country: '中国', reason: '', consent: [true] }),
          labels: ['signature'],
          user: { login: 'lina', id: 503 },
        },
      ],
    });
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.counts.signed).toBe(2);
    expect(receipt(1)).toContain('感谢您的签名');
    expect(receipt(2)).toContain('感谢您的签名');
    const files = Object.values(signatureFiles(fake)).join('\n');
    expect(files).toContain('name: "王伟"');
    expect(files).toContain('name: "李娜"');
  });

  it('answers an issue made with the Russian form in Russian, with Russian plurals', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          body: body(signRu, { name: 'А'.repeat(101), country: 'Атлантида', reason: '', consent: [true] }),
          labels: ['signature'],
          user: { login: 'olga', id: 501 },
        },
      ],
    });
    await runProcessor(fake, await makeCheckout(fake));
    const text = receipt(1);
    expect(text).toContain('Ваше обращение пока не может быть принято');
    expect(text).toContain('Длина вашего имени — 101 символ;');
    expect(text).toContain('Мы не смогли распознать ` Атлантида `');
    expect(text).not.toContain('Your name');
  });

  it('thanks a Chinese signer in Chinese, names the country in Chinese and links the Chinese withdrawal form', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          body: body(signZh, { name: '王伟', country: '俄罗斯', reason: '保护豹子', consent: [true] }),
          labels: ['signature'],
          user: { login: 'wangwei', id: 502 },
        },
      ],
    });
    const checkout = await makeCheckout(fake);
    const chineseLetter = '致俄罗斯联邦总理和中华人民共和国国务院总理(译文)';
    await mkdir(path.join(checkout, 'content/zh'), { recursive: true });
    await writeFile(path.join(checkout, 'content/zh/letter.md'), chineseLetter);
    const summary = await runProcessor(fake, checkout);
    expect(summary.counts.signed).toBe(1);
    expect(Object.values(signatureFiles(fake))[0]).toContain('country: "RU"');
    // The signature records the version of the letter this signer read: the Chinese one.
    expect(Object.values(signatureFiles(fake))[0]).toContain(`letter_sha256: "${letterDigest(chineseLetter)}"`);
    const text = receipt(1);
    expect(text).toContain('感谢您的签名');
    expect(text).toContain('国家或地区：` 俄罗斯 `');
    expect(text).toContain('template=withdraw-zh.yml');
    // The receipt page in Chinese, which leads on to the Chinese list.
    expect(text).toContain('/petition/zh/signatures/find/502/#s502');

    await syncCheckout(fake, checkout);
    fake.addIssue({
      body: body(withdrawZh, { confirm: [true] }),
      labels: ['withdrawal'],
      user: { login: 'wangwei', id: 502 },
    });
    await runProcessor(fake, checkout);
    expect(receipt(2)).toContain('您的签名已撤回');
    // What stays after a withdrawal is explained on the Chinese page.
    expect(receipt(2)).toContain('/petition/zh/how-it-works/#after-withdrawal');
    expect(signatureFiles(fake)).toEqual({});
  });

  it('reads a Russian form strictly by its own labels: an English heading typed into the reason is just text', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          body: body(signRu, {
            name: 'Ольга',
            country: 'RU',
            reason: 'Спасите!\n\n### Your name, as it will be shown\n\nVladimir Putin',
            consent: [true],
          }),
          labels: ['signature'],
          user: { login: 'olga', id: 501 },
        },
      ],
    });
    await runProcessor(fake, await makeCheckout(fake));
    expect(Object.values(signatureFiles(fake))[0]).toContain('name: "Ольга"');
  });
});
