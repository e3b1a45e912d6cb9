package fuse3d.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gradcheck itself: it passes right derivatives and reports wrong ones precisely. */
class GradcheckTest {
    private final Generator g = new Generator(7);

    @Test
    void aRightDerivativePasses() {
        Tensor x = g.uniform(-2, 2, 3, 4).toDouble();
        Gradcheck.Report r = Gradcheck.check("square", in -> List.of(in.get(0).square()), List.of(x));
        assertTrue(r.passed(), r::toString);
        assertEquals(2 * 12, r.compared()); // two cotangents x twelve elements
    }

    @Test
    void aWrongDerivativeIsReportedByInputElementAndValue() {
        // d(x^2) = 2x, but this rule forgets the 2
        Tensor x = Tensor.of(new double[] {1, -3}, 2);
        Gradcheck.Report r = Gradcheck.check("half_square_rule",
                in -> List.of(Var.record("half_square_rule", in.get(0).data().square(), (gr, n) -> new Tensor[] {gr.mul(in.get(0).data())}, in.get(0))),
                List.of(x));
        assertFalse(r.passed());
        assertEquals(4, r.failures().size());
        Gradcheck.Failure f = r.failures().get(0);
        assertEquals(0, f.input());
        assertEquals(0, f.element());
        assertEquals(f.numeric() / 2, f.analytic(), 1e-6);
        assertTrue(r.toString().contains("half_square_rule: input 0 element 0 [0]"), r.toString());
        assertThrows(AssertionError.class, () -> Gradcheck.assertGradients("half_square_rule",
                in -> List.of(Var.record("half_square_rule", in.get(0).data().square(), (gr, n) -> new Tensor[] {gr.mul(in.get(0).data())}, in.get(0))),
                List.of(x)));
    }

    @Test
    void aMissingGradientCountsAsZero() {
        // a rule that drops the gradient of its second input: the numeric derivative is not 0, so it fails
        Tensor a = Tensor.of(new double[] {1, 2}, 2), b = Tensor.of(new double[] {3, 4}, 2);
        Gradcheck.Report r = Gradcheck.check("add_dropping_b",
                in -> List.of(Var.record("add_dropping_b", in.get(0).data().add(in.get(1).data()), (gr, n) -> new Tensor[] {gr, null}, in.get(0), in.get(1))),
                List.of(a, b));
        assertFalse(r.passed());
        assertTrue(r.failures().stream().allMatch(f -> f.input() == 1 && f.analytic() == 0), r::toString);
    }

    @Test
    void integerInputsAreConstantsAndSeveralOutputsAreChecked() {
        Tensor x = g.uniform(-1, 1, 4, 3).toDouble();
        Tensor idx = Tensor.ofLongs(new long[] {2, 0, 3}, 3);
        Gradcheck.Report r = Gradcheck.check("index_select+split", in -> {
            Var y = in.get(0).indexSelect(0, in.get(1).data());
            return y.split(1, 1);
        }, List.of(x, idx));
        assertTrue(r.passed(), r::toString);
        assertEquals(2 * 12, r.compared());
    }

    @Test
    void inputsAreLeftUnchanged() {
        Tensor x = g.uniform(-1, 1, 5).toDouble();
        double[] before = x.toDoubleArray();
        Gradcheck.check("exp", in -> List.of(in.get(0).exp()), List.of(x));
        assertTrue(java.util.Arrays.equals(before, x.toDoubleArray()));
    }

    @Test
    void float32InputsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gradcheck.check("exp", in -> List.of(in.get(0).exp()), List.of(Tensor.ones(3))));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("input 0"), e.getMessage());
    }
}
