import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeUnexpectedError } from '../../src/cli/console-program.js';

describe('describeUnexpectedError', () => {
  it('prints only the message of a system error', () => {
    const error = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), { code: 'EADDRINUSE' });
    assert.equal(describeUnexpectedError(error), 'listen EADDRINUSE: address already in use 127.0.0.1:8080');
  });

  it('prints only the message of a driver error', () => {
    const error = Object.assign(new Error("Access denied for user 'admin'@'127.0.0.1' to database 'ff_a'"), { code: 'ER_DBACCESS_DENIED_ERROR' });
    assert.equal(describeUnexpectedError(error), "Access denied for user 'admin'@'127.0.0.1' to database 'ff_a'");
  });

  it('prints the stack of a bug', () => {
    const text = describeUnexpectedError(new Error('state is broken'));
    assert.match(text, /^state is broken\n\s+at /);
    assert.doesNotMatch(text, /^Error: /);
  });

  it('keeps the name of another error class', () => {
    assert.match(describeUnexpectedError(new TypeError('x is not a function')), /^TypeError: x is not a function\n\s+at /);
  });

  it('prints a thrown value that is no Error', () => {
    assert.equal(describeUnexpectedError('plain text'), 'plain text');
  });
});
