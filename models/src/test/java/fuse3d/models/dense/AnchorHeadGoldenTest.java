package fuse3d.models.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.autograd.Var;
import fuse3d.models.detect.LossTerms;
import fuse3d.tensor.DType;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import fuse3d.tensor.testing.GoldenCases;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays golden/dense/anchor_head_losses.safetensors (PyTorch 1.13, written by tests/golden/models/gen_dense_losses.py):
 * the anchors of the head must be the generator's, and the three loss terms and their gradients w.r.t. the head's
 * maps must match.
 */
class AnchorHeadGoldenTest {
    @Test
    void lossTermsAndGradientsMatchPyTorch() throws Exception {
        List<GoldenCases.Case> cases = GoldenCases.read(Path.of(AnchorHeadGoldenTest.class.getResource("/golden/dense/anchor_head_losses.safetensors").toURI()));
        assertEquals(2, cases.size());
        for (GoldenCases.Case c : cases) {
            int numClass = c.args().getInt("num_class", -1);
            AnchorHeadSingle head = DenseFixtures.twoClassHead(numClass == 1, c.args().getDoubles("code_weights"), 4);
            Map<String, Tensor> in = c.named();
            Closeness.assertClose(head.anchors(), in.get("anchors"), 0, 0, false, c.name() + " anchors");
            Var cls = Var.leaf(in.get("cls_preds").copy()), box = Var.leaf(in.get("box_preds").copy()), dir = Var.leaf(in.get("dir_cls_preds").copy());
            Tensor labels = in.get("box_cls_labels");
            AnchorTargets t = new AnchorTargets(labels, in.get("box_reg_targets"), labels.gt(0).to(DType.FLOAT32));
            LossTerms terms = head.loss(new AnchorHeadOutput(cls, box, dir), t);
            List<String> names = List.of("rpn_loss_cls", "rpn_loss_loc", "rpn_loss_dir");
            assertEquals(names, List.copyOf(terms.terms().keySet()));
            for (int i = 0; i < 3; i++)
                Closeness.assertClose(terms.terms().get(names.get(i)).data().reshape(), c.outputs().get(i).reshape(), 1e-5, 1e-6, false, c.name() + " " + names.get(i));
            terms.total().backward();
            Closeness.assertClose(cls.grad(), c.outputs().get(3), 1e-4, 1e-6, false, c.name() + " d cls_preds");
            Closeness.assertClose(box.grad(), c.outputs().get(4), 1e-4, 1e-6, false, c.name() + " d box_preds");
            Closeness.assertClose(dir.grad(), c.outputs().get(5), 1e-4, 1e-6, false, c.name() + " d dir_cls_preds");
        }
    }
}
