package fuse3d.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class RawArrayTest {

    @Test
    void factoriesStoreLittleEndianBytesAndCheckNumel() {
        RawArray f = RawArray.of(new float[] {1.5f, -2f, 0f, 4f, 5f, 6f}, 2, 3);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new int[] {2, 3}, f.shape());
        assertEquals(6, f.numel());
        assertEquals(24, f.data().remaining());
        assertEquals(0x3fc00000, f.data().order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        assertEquals((byte) 0x3f, f.data().get(3)); // little-endian: the sign/exponent byte comes last
        assertEquals((byte) 0xc0, f.data().get(7)); // -2f = 0xc0000000

        assertEquals(1, RawArray.of(new double[] {2.0}).numel()); // shape [] is a scalar
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new int[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new long[0], -1));
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new boolean[0], 1 << 16, 1 << 16, 0, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new RawArray(DType.INT64, new int[] {2}, ByteBuffer.allocate(15)));
        assertThrows(IllegalArgumentException.class,
                () -> new RawArray(DType.BOOL, new int[] {2}, ByteBuffer.wrap(new byte[] {1, 2})));
        assertEquals(0, RawArray.of(new float[0], 3, 0, 2).numel());
    }

    @Test
    void isImmutableFromOutside() {
        int[] shape = {2};
        RawArray a = RawArray.of(new int[] {7, 8}, shape);
        shape[0] = 99;
        assertArrayEquals(new int[] {2}, a.shape());
        a.shape()[0] = 5;
        assertArrayEquals(new int[] {2}, a.shape());
        ByteBuffer d = a.data();
        d.position(4);
        assertEquals(0, a.data().position());
        assertThrows(ReadOnlyBufferException.class, () -> a.data().put(0, (byte) 1));
    }

    @Test
    void constructorTakesBytesFromPositionToLimit() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 111).putInt(4, 222).putInt(8, 333);
        b.position(4);
        RawArray a = new RawArray(DType.INT32, new int[] {2}, b);
        assertArrayEquals(new int[] {222, 333}, a.toIntArray());
    }

    @Test
    void equalityIsByContent() {
        assertEquals(RawArray.of(new float[] {1, 2}, 2), RawArray.of(new float[] {1, 2}, 2));
        assertEquals(RawArray.of(new float[] {1, 2}, 2).hashCode(), RawArray.of(new float[] {1, 2}, 2).hashCode());
        assertNotEquals(RawArray.of(new float[] {1, 2}, 2), RawArray.of(new float[] {1, 2}, 1, 2));
        assertNotEquals(RawArray.of(new float[] {0f}), RawArray.of(new float[] {-0f}));
        assertNotEquals(RawArray.of(new int[] {1}), RawArray.of(new float[] {Float.intBitsToFloat(1)}));
    }

    @Test
    void losslessAndRoundingConversionsSucceed() {
        RawArray i64 = RawArray.of(new long[] {-3, 0, 1L << 40}, 3);
        assertArrayEquals(new double[] {-3, 0, 0x1p40}, i64.toDoubleArray());
        assertArrayEquals(new float[] {-3, 0, 0x1p40f}, i64.toFloatArray());
        assertArrayEquals(new long[] {-3, 0, 1L << 40}, i64.toLongArray());
        RawArray b = RawArray.of(new boolean[] {true, false}, 2);
        assertArrayEquals(new int[] {1, 0}, b.toIntArray());
        assertArrayEquals(new long[] {1, 0}, b.toLongArray());
        assertArrayEquals(new float[] {1, 0}, b.toFloatArray());
        assertArrayEquals(new boolean[] {true, false}, b.toBooleanArray());
        RawArray f = RawArray.of(new float[] {-2f, 3f, 0x1p30f}, 3);
        assertArrayEquals(new int[] {-2, 3, 1 << 30}, f.toIntArray());
        assertArrayEquals(new long[] {-2, 3, 1 << 30}, f.toLongArray());
        assertArrayEquals(new double[] {-2, 3, 0x1p30}, f.toDoubleArray());
        assertArrayEquals(new float[] {0.1f}, RawArray.of(new double[] {0.1}, 1).toFloatArray());
        assertArrayEquals(new boolean[] {false, true, true}, RawArray.of(new int[] {0, 1, 1}, 3).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true}, RawArray.of(new double[] {-0.0, 1.0}, 2).toBooleanArray());
        assertArrayEquals(new long[] {Long.MIN_VALUE}, RawArray.of(new double[] {-0x1p63}, 1).toLongArray());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 7}, RawArray.of(new long[] {Integer.MIN_VALUE, 7}, 2).toIntArray());
    }

    @Test
    void valueChangingConversionsFailNamingTheElement() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RawArray.of(new float[] {1f, 2.5f}, 2).toIntArray());
        assertTrue(e.getMessage().contains("element 1 (2.5)") && e.getMessage().contains("FLOAT32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new float[] {Float.NaN}, 1).toLongArray());
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new double[] {0x1p63}, 1).toLongArray());
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new double[] {0x1p31}, 1).toIntArray());
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new float[] {Float.POSITIVE_INFINITY}, 1).toIntArray());
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new long[] {1L << 31}, 1).toIntArray());
        e = assertThrows(IllegalArgumentException.class, () -> RawArray.of(new int[] {0, 1, 2}, 3).toBooleanArray());
        assertTrue(e.getMessage().contains("element 2 (2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new long[] {(1L << 53) + 1}, 1).toBooleanArray());
        assertThrows(IllegalArgumentException.class, () -> RawArray.of(new float[] {0.5f}, 1).toBooleanArray());
    }
}
