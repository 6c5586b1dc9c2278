// docs/ci.md's pipelines are real: the GitHub Actions workflow and the Tekton resources parse
// as YAML with the structure their engines expect (jobs and steps, a site matrix; tekton.dev/v1
// Tasks and a Pipeline whose pack task is a matrix after the release), and every fyr command in
// them, and in docs/packs.md, is a command fyr's own option parser accepts.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseAllDocuments } from 'yaml';
import { COMMON_OPTIONS } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/run.js';

const CI = readFileSync('docs/ci.md', 'utf8');

const fenced = (text: string, lang: string) =>
  [...text.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]!);

// Words of one shell command line: quotes removed, a redirection ends it.
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const word = m[1] ?? m[2] ?? m[3]!;
    if (m[3] !== undefined && /^\d?>/.test(word)) break;
    words.push(word);
  }
  return words;
}

// fyr's parse of a command line, as run.ts does it: the command exists, every option is one
// of its own (with a value where it takes one), the positionals are as many as it takes.
function checkFyr(argv: readonly string[], where: string): string {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  assert.ok(command, `${where}: fyr ${name} is not a command`);
  const specs = { ...command.options, ...COMMON_OPTIONS };
  const options = Object.fromEntries(
    Object.entries(specs).map(([n, s]) => [n, s.short ? { type: s.type, short: s.short } : { type: s.type }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (err) {
    assert.unreachable(`${where}: fyr ${argv.join(' ')}: ${(err as Error).message}`);
    throw err;
  }
  const { min, max } = command.positionals;
  assert.ok(
    parsed.positionals.length >= min && parsed.positionals.length <= max,
    `${where}: fyr ${name} takes ${min} to ${max} arguments`,
  );
  for (const required of name === 'build' ? ['release', 'out'] : name === 'release' ? ['content', 'out'] : [])
    assert.ok(typeof parsed.values[required] === 'string', `${where}: fyr ${name} without --${required}`);
  return name!;
}

// The fyr command lines of a shell script.
const fyrLines = (script: string) =>
  script
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('fyr '))
    .map((l) => shellWords(l).slice(1));

test('ci :: the GitHub Actions workflow: jobs, steps, a site matrix after the release, real fyr commands', () => {
  const [workflowText] = fenced(CI, 'yaml');
  const workflow = parse(workflowText!);
  assert.ok(workflow.on, 'has triggers');
  assert.equal(Object.keys(workflow.jobs), ['release', 'packs']);
  const { release, packs } = workflow.jobs;
  for (const job of [release, packs]) {
    assert.type(job['runs-on'], 'string');
    assert.ok(Array.isArray(job.steps) && job.steps.length > 0);
    for (const step of job.steps) assert.ok(step.uses || step.run, 'each step uses an action or runs a script');
  }
  assert.is(packs.needs, 'release');
  assert.equal(packs.strategy.matrix.site, ['edge', 'plant', 'sno']);
  assert.is(packs.strategy['fail-fast'], false);
  const commands = [...release.steps, ...packs.steps]
    .filter((s: { run?: string }) => s.run)
    .flatMap((s: { run: string }) => fyrLines(s.run.replace(/\$\{\{ matrix\.site \}\}/g, 'edge')));
  assert.equal(
    commands.map((argv, i) => checkFyr(argv, `workflow command ${i}`)),
    ['release', 'build'],
  );
  assert.ok(commands[1]!.includes('--pack'));
});

test('ci :: the Tekton resources: tekton.dev/v1 Tasks and a Pipeline fanning the pack task out per site', () => {
  const tekton = fenced(CI, 'yaml')[1]!;
  const docs = parseAllDocuments(tekton).map((d) => {
    assert.equal(d.errors, []);
    return d.toJS();
  });
  assert.equal(
    docs.map((d) => [d.apiVersion, d.kind, d.metadata.name]),
    [
      ['tekton.dev/v1', 'Task', 'fyr-release'],
      ['tekton.dev/v1', 'Task', 'fyr-pack'],
      ['tekton.dev/v1', 'Pipeline', 'fyr-fleet'],
    ],
  );
  const [releaseTask, packTask, pipeline] = docs;
  const tasks = pipeline.spec.tasks;
  assert.equal(
    tasks.map((t: { name: string; taskRef: { name: string } }) => [t.name, t.taskRef.name]),
    [
      ['release', 'fyr-release'],
      ['packs', 'fyr-pack'],
    ],
  );
  assert.equal(tasks[1].runAfter, ['release']);
  assert.equal(tasks[1].matrix.params, [{ name: 'site', value: '$(params.sites[*])' }]);
  assert.equal(pipeline.spec.params[1].default, ['edge', 'plant', 'sno']);
  // Workspaces a task declares are the ones the pipeline binds.
  for (const [task, ref] of [
    [releaseTask, tasks[0]],
    [packTask, tasks[1]],
  ])
    assert.equal(
      task.spec.workspaces.map((w: { name: string }) => w.name),
      ref.workspaces.map((w: { name: string }) => w.name),
    );
  const steps = [...releaseTask.spec.steps, ...packTask.spec.steps];
  const names = steps.map((step: { command: string[]; args: string[]; image: string }, i: number) => {
    assert.equal(step.command, ['fyr']);
    assert.type(step.image, 'string');
    return checkFyr(
      step.args.map((a) => a.replace(/\$\([^)]+\)/g, 'x')),
      `Tekton step ${i}`,
    );
  });
  assert.equal(names, ['release', 'build']);
});

test('ci :: the fyr commands in ci.md and packs.md prose and shell blocks parse', () => {
  const packs = readFileSync('docs/packs.md', 'utf8');
  const lines = [
    ...[CI, packs].flatMap((t) => [...t.matchAll(/`(fyr [^`]+)`/g)].map((m) => m[1]!)),
    ...fenced(packs, 'sh').flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n')),
  ]
    .map((l) => l.replace(/#.*$/, '').trim())
    // A bare `fyr build` names the command in a sentence.
    .filter((l) => l.startsWith('fyr ') && l.split(' ').length > 2);
  assert.ok(lines.length >= 6, `${lines.length} commands`);
  for (const line of lines) checkFyr(shellWords(line).slice(1), line);
});

test.run();
