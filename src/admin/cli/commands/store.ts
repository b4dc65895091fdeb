/**
 * `sipwarden store init | status`: the store marker (src/store/store-marker.ts),
 * by which edges tell a Redis that lost its data from admins deleting lists.
 */
import type { Command } from 'commander';
import { type MarkerSeen, newMarker } from '../../../store/store-marker.js';
import { type JsonOptions, actorOption, withJson } from '../options.js';
import { run } from '../session.js';
import { shortTime } from '../table.js';

interface InitOptions extends JsonOptions {
  readonly actor: string;
  readonly force?: boolean;
}

function markerJson(seen: MarkerSeen): object {
  if (seen.state === 'present') return { exists: true, marker: seen.marker };
  if (seen.state === 'malformed') return { exists: true, malformed: seen.text };
  return { exists: false };
}

function describeMarker(seen: MarkerSeen): string {
  if (seen.state === 'present') {
    const { id, kind, createdAt, createdBy } = seen.marker;
    return `store marker ${id} (${kind}, made ${shortTime(createdAt)} by ${createdBy})`;
  }
  if (seen.state === 'malformed') return `the marker key holds something that is no marker: ${JSON.stringify(seen.text)}`;
  return 'no store marker';
}

export function registerStore(program: Command): void {
  const store = program.command('store').description('the store marker: how edges notice a Redis that came back empty');

  const init = store
    .command('init')
    .description('mark this store as the one edges follow (kind init)')
    .addOption(actorOption())
    .option('--force', 'replace the marker there: every edge accepts the store as it is now, whatever it holds')
    .addHelpText(
      'after',
      '\nAfter a data loss (Redis back empty, FLUSHALL) edges keep their last lists and report store-data-lost;\n' +
        'restore the backup, or push the lists again, check them, and run `sipwarden store init --force`.',
    );
  withJson(init).action((options: InitOptions) =>
    run(options, async ({ marker }, out) => {
      const fresh = newMarker('init', options.actor);
      if (options.force) {
        const replaced = await marker.replace(fresh);
        const human = () => `${describeMarker({ state: 'present', marker: fresh })}, replacing ${describeMarker(replaced)}: every edge follows the store as it is now`;
        return out.result({ marker: fresh, replaced: markerJson(replaced) }, human);
      }
      const { created, current } = await marker.create(fresh);
      if (!created) {
        return out.refused(
          { kind: 'exists', message: `the store is marked already: ${describeMarker(current)}` },
          'run again with --force to replace it: every edge then accepts the store as it is now, whatever it holds',
        );
      }
      return out.result({ marker: fresh }, () => `${describeMarker({ state: 'present', marker: fresh })}: edges follow this store`);
    }),
  );

  withJson(store.command('status').description('show the store marker, and whether there is one')).action((options: JsonOptions) =>
    run(options, async ({ marker }, out) => {
      const seen = await marker.read();
      return out.result(markerJson(seen), () =>
        seen.state === 'absent'
          ? 'no store marker: a loss of this store would go unnoticed, and edges that followed a marker take it for a store that lost its data;\n' +
            'check the lists (`sipwarden show`), then `sipwarden store init` marks it'
          : describeMarker(seen),
      );
    }),
  );
}
