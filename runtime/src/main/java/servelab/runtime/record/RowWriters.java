package servelab.runtime.record;

import static java.lang.constant.ConstantDescs.BSM_CLASS_DATA_AT;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Makes the {@link RowWriter} of a list of columns: one hidden class per list, written with the Class-File API. */
final class RowWriters {
    private RowWriters() {}

    /** The writer for {@code columns}, made once per list (identity) and kept. */
    @SuppressWarnings("unchecked")
    static <R> RowWriter<R> of(List<Column<R>> columns) {
        return (RowWriter<R>) CACHE.computeIfAbsent(new Key(columns), RowWriters::make);
    }

    /** A list of columns by identity: lists of equal columns made twice are two keys (each makes its own class). */
    private record Key(List<?> columns) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.columns == columns;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(columns);
        }
    }

    private static final Map<Key, RowWriter<?>> CACHE = new ConcurrentHashMap<>();
    private static final ClassDesc CD_ROW_WRITER = ClassDesc.of(RowWriter.class.getName());
    private static final ClassDesc CD_SETTER = ClassDesc.of(Column.Setter.class.getName());
    private static final MethodTypeDesc WRITE = MethodTypeDesc.of(CD_void, CD_Object.arrayType(), CD_int, CD_Object);
    private static final MethodTypeDesc SET = MethodTypeDesc.of(CD_void, CD_Object, CD_int, CD_Object);

    private static RowWriter<?> make(Key key) {
        var setters = key.columns().stream().map(c -> ((Column<?>) c).setter()).toList();
        var self = ClassDesc.of(RowWriters.class.getPackageName() + ".GeneratedRowWriter");
        byte[] bytes = ClassFile.of().build(self, cls -> cls
                .withFlags(AccessFlag.FINAL, AccessFlag.SYNTHETIC)
                .withInterfaceSymbols(CD_ROW_WRITER)
                .withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC, code -> code
                        .aload(0)
                        .invokespecial(CD_Object, INIT_NAME, MTD_void)
                        .return_())
                .withMethodBody("write", WRITE, ClassFile.ACC_PUBLIC, code -> {
                    for (int c = 0; c < setters.size(); c++) {
                        // setters[c].set(targets[c], index, row), the setter a constant of the class
                        code.ldc(DynamicConstantDesc.ofNamed(BSM_CLASS_DATA_AT, "_", CD_SETTER, c))
                                .aload(1).loadConstant(c).aaload()
                                .iload(2)
                                .aload(3)
                                .invokeinterface(CD_SETTER, "set", SET);
                    }
                    code.return_();
                }));
        try {
            var lookup = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, setters, true);
            return (RowWriter<?>) lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class))
                    .invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot make the row writer of " + setters.size() + " columns", e);
        }
    }
}
