package fuse3d.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.ReduceOp;
import fuse3d.tensor.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hand-written catalogue against the kernel sources, and the argument checks and packing built on it. */
class KernelCatalogTest {

    @Test
    void everySourceSignatureMatchesTheCatalogue() {
        Set<String> seen = new HashSet<>();
        for (String src : KernelCatalog.SOURCES) {
            Map<String, List<ArgKind>> parsed = Signatures.entries(KernelCatalog.source(src));
            assertTrue(!parsed.isEmpty(), src + ": no extern \"C\" __global__ entry point found");
            for (var e : parsed.entrySet()) {
                KernelSpec spec = KernelCatalog.get(e.getKey());
                assertEquals(src, spec.source(), e.getKey() + ": catalogued under another source");
                assertEquals(e.getValue(), spec.params(), e.getKey() + " (" + src + "): parameter kinds of the source vs the catalogue");
                seen.add(e.getKey());
            }
        }
        for (KernelSpec s : KernelCatalog.all()) assertTrue(seen.contains(s.name()), "catalogued kernel " + s.name() + " is not in " + s.source());
    }

    @Test
    void parserClassifiesDeclarations() {
        // the parser itself must be able to fail: a hand-made source with every kind
        String src = "// extern \"C\" __global__ void commented(int a)\n"
                + "extern \"C\" __global__ void __launch_bounds__(256) k(const float* __restrict__ a, long long n, int m, float f, double d,\n"
                + "    unsigned long long* bits) {}\n";
        Map<String, List<ArgKind>> p = Signatures.entries(src);
        assertEquals(Set.of("k"), p.keySet());
        assertEquals(List.of(ArgKind.POINTER, ArgKind.INT64, ArgKind.INT32, ArgKind.FLOAT32, ArgKind.FLOAT64, ArgKind.POINTER), p.get("k"));
    }

    @Test
    void opCodesAreTheJavaEnumsOrdinals() {
        Map<String, Integer> ew = Signatures.defines(KernelCatalog.source("elementwise.cu"));
        for (UnaryOp op : UnaryOp.values()) assertEquals(op.ordinal(), ew.get("U_" + op.name()), "elementwise.cu U_" + op.name());
        for (BinaryOp op : BinaryOp.values()) assertEquals(op.ordinal(), ew.get("B_" + op.name()), "elementwise.cu B_" + op.name());
        assertEquals(UnaryOp.values().length, ew.keySet().stream().filter(k -> k.startsWith("U_")).count(), "elementwise.cu: extra U_ codes");
        assertEquals(BinaryOp.values().length, ew.keySet().stream().filter(k -> k.startsWith("B_")).count(), "elementwise.cu: extra B_ codes");
        Map<String, Integer> red = Signatures.defines(KernelCatalog.source("reduce.cu"));
        for (ReduceOp op : ReduceOp.values()) assertEquals(op.ordinal(), red.get("R_" + op.name()), "reduce.cu R_" + op.name());
    }

    @Test
    void wrongArgumentListsFailAtTheDoor() {
        KernelSpec s = KernelCatalog.get("ew_fill_f32");
        s.check(new DevicePtr(256), 10L, 1f);
        var tooFew = assertThrows(IllegalArgumentException.class, () -> s.check(new DevicePtr(256), 10L));
        assertTrue(tooFew.getMessage().contains("ew_fill_f32") && tooFew.getMessage().contains("expects 3"), tooFew.getMessage());
        // an int where int64 is expected, and a long where a pointer is expected
        var intForLong = assertThrows(IllegalArgumentException.class, () -> s.check(new DevicePtr(256), 10, 1f));
        assertTrue(intForLong.getMessage().contains("argument 1 must be INT64"), intForLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.check(256L, 10L, 1f));
        assertThrows(IllegalArgumentException.class, () -> s.check(new DevicePtr(256), 10L, 1.0));
        assertThrows(IllegalArgumentException.class, () -> KernelCatalog.get("no_such_kernel"));
    }

    @Test
    void packWritesOneSlotPerParameterWithItsWidth() {
        KernelSpec s = KernelCatalog.get("ew_unary_f32"); // p p p i l i f f
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = KernelArgs.pack(arena, s, new DevicePtr(0x1000), new DevicePtr(0x2000), null, 3, 1L << 40, 7, 0.5f, -2f);
            MemorySegment[] slot = new MemorySegment[8];
            for (int i = 0; i < 8; i++) slot[i] = params.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(8);
            assertEquals(0x1000L, slot[0].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0x2000L, slot[1].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0L, slot[2].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(3, slot[3].get(ValueLayout.JAVA_INT, 0));
            assertEquals(1L << 40, slot[4].get(ValueLayout.JAVA_LONG, 0));
            assertEquals(7, slot[5].get(ValueLayout.JAVA_INT, 0));
            assertEquals(0.5f, slot[6].get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(-2f, slot[7].get(ValueLayout.JAVA_FLOAT, 0));
        }
    }
}
