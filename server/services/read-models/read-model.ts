/**
 * A read model: values computed once from their inputs and handed out as the same objects until an
 * input changes. Inputs are compared by identity, so a source that keeps its value until it changes
 * (a cached catalog, the licences in force, the installed product) invalidates by handing out a
 * new one. The count of computations is observable, for tests that prove repeated reads compute nothing.
 */
export class ReadModel<Inputs extends readonly unknown[], Key, Value> {
  private inputs: Inputs | null = null;
  private readonly values = new Map<Key, Value>();
  private count = 0;

  /** How many values were computed so far. */
  get computations(): number {
    return this.count;
  }

  /**
   * The value for `key` computed from `inputs`; all keys are dropped when an input changed. Keys must
   * come from a bounded set (a known locale, a version of the catalog). A promise that rejects is not
   * kept: the next read computes again (its caller still gets the rejection).
   */
  read(inputs: Inputs, key: Key, compute: () => Value): Value {
    if (!this.inputs || this.inputs.length !== inputs.length || this.inputs.some((input, i) => input !== inputs[i])) {
      this.values.clear();
      this.inputs = inputs;
    }
    if (this.values.has(key)) return this.values.get(key)!;
    this.count += 1;
    const value = compute();
    this.values.set(key, value);
    if (value instanceof Promise) {
      value.catch(() => {
        if (this.values.get(key) === value) this.values.delete(key);
      });
    }
    return value;
  }
}
