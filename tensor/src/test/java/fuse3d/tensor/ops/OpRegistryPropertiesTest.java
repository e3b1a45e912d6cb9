package fuse3d.tensor.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The generic suite every registered op is enrolled in: on random sample calls drawn by its sampler, the
 * op is deterministic, leaves its inputs untouched, and gives the same values on strided views of its
 * inputs as on contiguous ones.
 */
class OpRegistryPropertiesTest {
    @Test
    void everyOpHasSamplesAndAFamily() {
        List<String> bad = new ArrayList<>();
        for (OpSpec s : OpRegistry.global().all())
            if (s.family().isBlank() || s.sampler().samples(new Generator(1)).isEmpty()) bad.add(s.name());
        assertTrue(bad.isEmpty(), "ops without samples: " + bad);
        assertFalse(OpRegistry.global().all().isEmpty());
    }

    /** A copy of t whose storage is twice as wide: same values, non-contiguous strides. */
    static Tensor strided(Tensor t) {
        if (t.dim() == 0 || t.numel() == 0) return t;
        int[] wide = t.shape();
        wide[wide.length - 1] *= 2;
        Tensor w = Tensor.zeros(t.dtype(), wide).slice(-1, 1, wide[wide.length - 1], 2);
        w.copy_(t);
        return w;
    }

    @Property(tries = 30)
    void deterministicPureAndViewInvariant(@ForAll long seed) {
        Generator g = new Generator(seed);
        for (OpSpec op : OpRegistry.global().all()) {
            for (OpSpec.Sample s : op.sampler().samples(g)) {
                String where = op.name() + " (seed " + seed + ", args " + s.args().values() + ")";
                List<Tensor> before = new ArrayList<>();
                for (Tensor t : s.inputs()) before.add(t.copy());
                List<Tensor> a = op.apply(s.inputs(), s.args());
                List<Tensor> b = op.apply(s.inputs(), s.args());
                for (int i = 0; i < s.inputs().size(); i++)
                    Closeness.assertClose(s.inputs().get(i), before.get(i), 0, 0, true, where + ": input " + i + " was modified");
                for (int i = 0; i < a.size(); i++)
                    Closeness.assertClose(b.get(i), a.get(i), 0, 0, true, where + ": output " + i + " differs between two runs");
                List<Tensor> views = new ArrayList<>();
                for (Tensor t : s.inputs()) views.add(strided(t));
                List<Tensor> c = op.apply(views, s.args());
                for (int i = 0; i < a.size(); i++)
                    Closeness.assertClose(c.get(i), a.get(i), 1e-5, 1e-6, true, where + ": output " + i + " differs on strided inputs");
            }
        }
    }
}
