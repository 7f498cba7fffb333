/** Usage lines of `backfill` and `redrive`, apart from the command so `cli.ts` loads nothing else at start. */
export const REPROCESS_USAGE = `       shopstream-collector backfill --zone raw --from <YYYY-MM-DD/HH> --to <YYYY-MM-DD/HH> [--clean-from <YYYY-MM-DD/HH>] [--source <id>] [--collector <url>] [--dry-run] [--config <file>] [--dir <lake> | --sink <name>]
       shopstream-collector redrive [--from <YYYY-MM-DD/HH>] [--to <YYYY-MM-DD/HH>] [--clean-from <YYYY-MM-DD/HH>] [--source <id>] [--collector <url>] [--dry-run] [--config <file>] [--dir <lake> | --sink <name>]
       shopstream-collector redrive --dead-letters [--from <YYYY-MM-DD/HH>] [--to <YYYY-MM-DD/HH>] [--source <id>] [--dry-run] [--config <file>] [--dir <lake> | --sink <name>]`;
