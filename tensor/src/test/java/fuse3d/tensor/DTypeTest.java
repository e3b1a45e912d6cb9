package fuse3d.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class DTypeTest {
    @Test
    void promotionFollowsTorch() {
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
        assertEquals(DType.FLOAT64, DType.promote(DType.FLOAT32, DType.FLOAT64));
        assertEquals(DType.INT64, DType.promote(DType.INT32, DType.INT64));
        assertEquals(DType.INT32, DType.promote(DType.BOOL, DType.INT32));
    }

    @Property
    void promotionIsSymmetric(@ForAll DType a, @ForAll DType b) {
        assertEquals(DType.promote(a, b), DType.promote(b, a));
    }
}
