package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import fuse3d.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Shared helpers for the io tests: the numpy/torch fixtures, their expectations, random arrays. */
final class IoFixtures {
    private IoFixtures() {}

    /** A file under src/test/resources/io/ (written by tests/golden/gen_io_fixtures.py). */
    static Path resource(String relative) {
        try {
            return Path.of(IoFixtures.class.getResource("/io/" + relative).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource io/" + relative
                    + " (regenerate with /usr/bin/python3 tests/golden/gen_io_fixtures.py)", e);
        }
    }

    private static JsonNode expected;

    /** expected.json: NaN and Infinity appear as bare tokens, as Python's json module writes them. */
    static synchronized JsonNode expected() {
        if (expected == null) {
            try {
                expected = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                        .readTree(resource("expected.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return expected;
    }

    /** Asserts dtype, shape and every element (floats bit-exact up to NaN payload, -0.0 distinct from 0.0). */
    static void assertMatches(JsonNode exp, RawArray a, String what) {
        assertEquals(exp.get("dtype").asText(), a.dtype().name(), what + " dtype");
        int[] shape = new int[exp.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = exp.get("shape").get(i).intValue();
        assertArrayEquals(shape, a.shape(), what + " shape");
        JsonNode v = exp.get("values");
        assertEquals(v.size(), a.numel(), what + " numel");
        ByteBuffer d = a.data();
        for (int i = 0; i < v.size(); i++) {
            String at = what + " element " + i;
            switch (a.dtype()) {
                case FLOAT32 -> assertEquals(Float.floatToIntBits((float) v.get(i).doubleValue()),
                        Float.floatToIntBits(d.getFloat(4 * i)), at + ": " + v.get(i) + " vs " + d.getFloat(4 * i));
                case FLOAT64 -> assertEquals(Double.doubleToLongBits(v.get(i).doubleValue()),
                        Double.doubleToLongBits(d.getDouble(8 * i)), at + ": " + v.get(i) + " vs " + d.getDouble(8 * i));
                case INT32 -> assertEquals(v.get(i).longValue(), d.getInt(4 * i), at);
                case INT64 -> assertEquals(v.get(i).longValue(), d.getLong(8 * i), at);
                case BOOL -> assertEquals(v.get(i).booleanValue() ? 1 : 0, d.get(i), at);
            }
        }
    }

    /** Random arrays of every DType: rank 0..4, dimensions 0..4, arbitrary bytes (NaN payloads included). */
    static Arbitrary<RawArray> rawArrays() {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 4).list().ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
        return Combinators.combine(Arbitraries.of(DType.class), shapes).flatAs((dt, shape) -> {
            int n = (int) RawArray.numelOf(shape) * dt.byteSize();
            return Arbitraries.bytes().array(byte[].class).ofSize(n).map(bytes -> {
                if (dt == DType.BOOL) for (int i = 0; i < n; i++) bytes[i] &= 1;
                return new RawArray(dt, shape, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
            });
        });
    }

    /** Several random arrays, for multi-array containers. */
    static Arbitrary<List<RawArray>> rawArrayLists() {
        return rawArrays().list().ofMaxSize(5);
    }
}
