package servelab.runtime.record;

/**
 * Fills one row into a table's vectors and staging arrays, column after column, as each {@link Column}'s setter does.
 *
 * <p>Why generated: written as a loop over the columns, every value went through two calls the JIT could not inline
 * (the loop's {@code setter.set}, and inside it the getter, one shared call site per column kind), about 17% of a
 * cold run's replay (runtime/benchmarks/README.md). {@link RowWriters#of} writes a class, with the JDK's Class-File
 * API, whose one method calls each column's setter at a call site of its own on a constant (the setters are the
 * class's data), so the JIT inlines every setter and, through its final fields, every getter: the method reads like
 * hand-written code over the row's accessors, made from the one list of columns.
 *
 * <p>One class per list of columns, made on first use and shared by every writer of that list (so a sweep's runs
 * share its compiled code); the columns' setters are therefore safe to share between threads.
 */
interface RowWriter<R> {

    /**
     * Writes {@code row} at {@code index} of {@code targets}: in column order, each column's vector, or the staging
     * array of a {@link Stage staged} column ({@link Column#target}).
     */
    void write(Object[] targets, int index, R row);
}
