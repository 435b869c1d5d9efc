/**
 * The password hasher of the tests: the real scrypt code at a tiny cost (N=2^4 instead of 2^17).
 * A wrong password still fails and the stored hash still carries its parameters, but a hash costs
 * microseconds instead of half a second of a core at every app start and login. The tests of the
 * login itself (throttling, unknown users answered like wrong passwords) keep the real cost.
 */
import { createScryptHasher } from '../../server/adapters/password-hasher.js';

export const fastHasher = createScryptHasher({ logN: 4, r: 8, p: 1 });
