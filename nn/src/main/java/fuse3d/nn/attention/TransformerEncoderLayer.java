package fuse3d.nn.attention;

import fuse3d.autograd.Var;
import fuse3d.nn.Dropout;
import fuse3d.nn.Layer;
import fuse3d.nn.LayerNorm;
import fuse3d.nn.Linear;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.Locale;

/**
 * torch.nn.TransformerEncoderLayer (PyTorch 1.13): self-attention then a two-layer feed-forward block, each
 * with a residual connection and LayerNorm, post-norm by default or pre-norm with normFirst; children named
 * as torch's (self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2).
 *
 * <p>{@link #apply} runs the layer without masks (and runs hooks); {@link #forward(Var, Tensor, Tensor)} takes
 * torch's src_mask and src_key_padding_mask. Torch's inference fast path (no grad, eval, batch first) is not
 * emulated; we always compute as its regular path does (see {@link MultiheadAttention} on fully masked rows).
 */
public final class TransformerEncoderLayer extends Layer {
    public final int dModel, nhead, dimFeedforward;
    public final boolean normFirst, batchFirst;
    private final String activation;
    private final MultiheadAttention selfAttn;
    private final Linear linear1, linear2;
    private final Dropout dropout, dropout1, dropout2;
    private final LayerNorm norm1, norm2;

    /**
     * @param activation "relu" or "gelu" (the exact, erf form, as torch's F.gelu)
     * @param g draws the initial parameters and the dropout masks
     */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation, double layerNormEps,
                                   boolean batchFirst, boolean normFirst, Generator g) {
        String act = activation.toLowerCase(Locale.ROOT);
        if (!act.equals("relu") && !act.equals("gelu"))
            throw new IllegalArgumentException("TransformerEncoderLayer: activation should be relu/gelu, not " + activation);
        if (dimFeedforward <= 0) throw new IllegalArgumentException("TransformerEncoderLayer: dim_feedforward must be positive, got " + dimFeedforward);
        this.dModel = dModel;
        this.nhead = nhead;
        this.dimFeedforward = dimFeedforward;
        this.normFirst = normFirst;
        this.batchFirst = batchFirst;
        this.activation = act;
        // registration order is torch's, so state dicts list self_attn, linear1, linear2, norm1, norm2
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst, g));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, g));
        this.dropout = registerModule("dropout", new Dropout(dropout, g));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, g));
        this.norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, g));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, g));
    }

    /** torch's defaults: dim_feedforward 2048, dropout 0.1, relu, eps 1e-5, sequence first, post-norm. */
    public TransformerEncoderLayer(int dModel, int nhead, Generator g) { this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false, g); }

    public MultiheadAttention selfAttn() { return selfAttn; }

    public Linear linear1() { return linear1; }

    public Linear linear2() { return linear2; }

    public LayerNorm norm1() { return norm1; }

    public LayerNorm norm2() { return norm2; }

    public String activation() { return activation; }

    @Override
    protected Var forward(Var src) { return forward(src, null, null); }

    /**
     * @param src [S, N, E] ([N, S, E] if batchFirst, or [S, E] unbatched)
     * @param srcMask null or the attention mask (see {@link MultiheadAttention#forward(Var, Var, Var, Tensor, boolean, Tensor, boolean)})
     * @param srcKeyPaddingMask null or [N, S], true (or a float added) for padded positions
     */
    public Var forward(Var src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        Var x = src;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.apply(x), srcMask, srcKeyPaddingMask));
            x = x.add(feedForwardBlock(norm2.apply(x)));
        } else {
            x = norm1.apply(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
            x = norm2.apply(x.add(feedForwardBlock(x)));
        }
        return x;
    }

    private Var selfAttentionBlock(Var x, Tensor mask, Tensor keyPaddingMask) {
        return dropout1.apply(selfAttn.forward(x, x, x, keyPaddingMask, false, mask, true).output());
    }

    private Var feedForwardBlock(Var x) {
        Var h = linear1.apply(x);
        h = activation.equals("relu") ? h.relu() : h.gelu();
        return dropout2.apply(linear2.apply(dropout.apply(h)));
    }

    @Override
    protected String extraRepr() { return "activation=" + activation + ", norm_first=" + normFirst + ", batch_first=" + batchFirst; }
}
