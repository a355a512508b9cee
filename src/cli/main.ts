/** Entry of `./console`. */
import { EXIT_FAILURE, main } from './console-program.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  process.stderr.write(`Error: ${String(error)}\n`);
  process.exitCode = EXIT_FAILURE;
});
