package fuse3d.nn.attention;

import fuse3d.autograd.Var;
import fuse3d.nn.Functional;
import fuse3d.nn.Init;
import fuse3d.nn.Linear;
import fuse3d.nn.Module;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * torch.nn.MultiheadAttention as PyTorch 1.13 computes it, with its parameter names and layout so that its
 * state dicts load unchanged.
 *
 * <p>Parameters: {@code in_proj_weight} [3E, E] (q, k, v rows stacked) when kdim == vdim == E, otherwise
 * {@code q_proj_weight} [E, E], {@code k_proj_weight} [E, kdim], {@code v_proj_weight} [E, vdim]; then
 * {@code in_proj_bias} [3E] and, with add_bias_kv, {@code bias_k} / {@code bias_v} [1, 1, E]; the child
 * {@code out_proj} (a Linear E -> E). Initialisation as torch's _reset_parameters: xavier_uniform on the
 * input projections, zeros on both biases, xavier_normal on bias_k / bias_v; out_proj.weight keeps
 * Linear's default.
 *
 * <p>The computation is a composition of autograd ops (gradients come by composition): project, split into
 * heads, scale q by 1/sqrt(head_dim) <em>before</em> the product (as 1.13, not the scores afterwards), add the
 * merged additive mask (boolean masks become -inf), softmax over keys, dropout in training, weight the
 * values, concatenate heads and project out.
 *
 * <p>Fully masked rows: when every key of a query is masked its scores are all -inf and the softmax is 0/0,
 * so that query's output and weights are NaN, exactly as in torch 1.13's slow path (the path taken with
 * gradients or in training). We keep this rather than invent a value: a NaN is loud, whereas silently
 * returning zeros would diverge from checkpoints' expected numerics. Callers who may produce such rows should
 * leave at least one key unmasked (e.g. a padding token). 1.13's inference fast path and nested-tensor
 * encoder path are not emulated.
 */
public final class MultiheadAttention extends Module {
    public final int embedDim, numHeads, headDim, kdim, vdim;
    public final double dropout;
    public final boolean batchFirst, addZeroAttn;
    private final Linear outProj;
    private final Generator generator;

    /** The attention output (laid out as the query) and, when asked for, the attention weights. */
    public record Output(Var output, Var weights) {}

    /**
     * The tensors one attention call uses, as the arguments of torch's F.multi_head_attention_forward: either
     * inProjWeight or the three separate projection weights is non-null; biases may be null.
     */
    public record Projections(Var inProjWeight, Var qProjWeight, Var kProjWeight, Var vProjWeight, Var inProjBias,
                              Var biasK, Var biasV, Var outProjWeight, Var outProjBias) {}

    /**
     * @param kdim the key feature size (pass embedDim for torch's default None); when kdim or vdim differs
     *        from embedDim the projections are stored as three separate weights
     * @param vdim the value feature size (likewise)
     * @param g draws the initial parameters and, in training, the attention dropout masks
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean addBiasKv, boolean addZeroAttn,
                              int kdim, int vdim, boolean batchFirst, Generator g) {
        if (embedDim <= 0 || numHeads <= 0 || kdim <= 0 || vdim <= 0)
            throw new IllegalArgumentException("MultiheadAttention: embed_dim, num_heads, kdim and vdim must be positive, got " + embedDim
                    + ", " + numHeads + ", " + kdim + ", " + vdim);
        if (embedDim % numHeads != 0)
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embedDim + " must be divisible by num_heads " + numHeads);
        if (dropout < 0 || dropout > 1) throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1], got " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.kdim = kdim;
        this.vdim = vdim;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        this.addZeroAttn = addZeroAttn;
        this.generator = g;
        // torch builds out_proj (drawing its default init) before _reset_parameters draws the projections;
        // we draw in the same order, but register out_proj last so the state-dict order matches torch's.
        Linear out = new Linear(embedDim, embedDim, bias, g);
        // The parameters are read back by name in projections(), never kept in fields: to(DType) replaces them.
        if (kdim == embedDim && vdim == embedDim) {
            registerParameter("in_proj_weight", Init.xavierUniform(g, 1.0, 3 * embedDim, embedDim));
        } else {
            registerParameter("q_proj_weight", Init.xavierUniform(g, 1.0, embedDim, embedDim));
            registerParameter("k_proj_weight", Init.xavierUniform(g, 1.0, embedDim, kdim));
            registerParameter("v_proj_weight", Init.xavierUniform(g, 1.0, embedDim, vdim));
        }
        if (bias) registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim));
        if (addBiasKv) {
            // xavier_normal_ on [1, 1, E]: fan_in = fan_out = E, so std = sqrt(2 / 2E)
            double std = Math.sqrt(1.0 / embedDim);
            registerParameter("bias_k", g.normal(0, std, 1, 1, embedDim));
            registerParameter("bias_v", g.normal(0, std, 1, 1, embedDim));
        }
        if (bias) out.bias().data().zero_();
        outProj = registerModule("out_proj", out);
    }

    /** torch's defaults apart from the given dropout and layout: biases on, no bias_kv / zero attention, kdim = vdim = embedDim. */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean batchFirst, Generator g) {
        this(embedDim, numHeads, dropout, true, false, false, embedDim, embedDim, batchFirst, g);
    }

    /** torch's defaults: no dropout, sequence-first layout [L, N, E]. */
    public MultiheadAttention(int embedDim, int numHeads, Generator g) { this(embedDim, numHeads, 0.0, false, g); }

    public Linear outProj() { return outProj; }

    /** This module's live parameters in the form {@link #multiHeadAttention} takes. */
    public Projections projections() {
        return new Projections(parameter("in_proj_weight"), parameter("q_proj_weight"), parameter("k_proj_weight"), parameter("v_proj_weight"),
                parameter("in_proj_bias"), parameter("bias_k"), parameter("bias_v"), outProj.weight(), outProj.bias());
    }

    /** Attention with weights averaged over heads and no masks. */
    public Output forward(Var query, Var key, Var value) { return forward(query, key, value, null, true, null, true); }

    /**
     * torch's MultiheadAttention.forward (same argument order).
     *
     * @param query [L, N, E] ([N, L, E] if batchFirst), or [L, E] unbatched
     * @param key [S, N, kdim] (or batch first / unbatched as the query)
     * @param value [S, N, vdim] (likewise)
     * @param keyPaddingMask null, or [N, S] ([S] unbatched): bool (true = ignore that key) or float (added to the scores)
     * @param needWeights whether to return the attention weights
     * @param attnMask null, or [L, S] or [N * numHeads, L, S]: bool (true = not allowed to attend) or float (added)
     * @param averageAttnWeights average the returned weights over heads ([N, L, S]) instead of per head ([N, heads, L, S])
     */
    public Output forward(Var query, Var key, Var value, Tensor keyPaddingMask, boolean needWeights, Tensor attnMask, boolean averageAttnWeights) {
        int qd = query.dim();
        if (qd != 2 && qd != 3)
            throw new IllegalArgumentException("MultiheadAttention: query must be 3-d (batched) or 2-d (unbatched), got " + Shape.str(query.shape()));
        if (key.dim() != qd || value.dim() != qd)
            throw new IllegalArgumentException("MultiheadAttention: query " + Shape.str(query.shape()) + ", key " + Shape.str(key.shape()) + " and value "
                    + Shape.str(value.shape()) + " must all be " + qd + "-d");
        boolean unbatched = qd == 2;
        if (unbatched && keyPaddingMask != null && keyPaddingMask.dim() != 1)
            throw new IllegalArgumentException("MultiheadAttention: for unbatched inputs key_padding_mask must be 1-d [S], got " + Shape.str(keyPaddingMask.shape()));
        // Work batch first; keep shared inputs shared so self-attention can take the fused projection.
        Var q = toBatchFirst(query, unbatched);
        Var k = key == query ? q : toBatchFirst(key, unbatched);
        Var v = value == key ? k : value == query ? q : toBatchFirst(value, unbatched);
        Tensor kpm = unbatched && keyPaddingMask != null ? keyPaddingMask.unsqueeze(0) : keyPaddingMask;
        Output o = multiHeadAttention(q, k, v, numHeads, projections(), addZeroAttn, kpm, attnMask,
                isTraining() ? dropout : 0.0, generator, needWeights, averageAttnWeights);
        Var out = o.output(), w = o.weights();
        if (unbatched) {
            out = out.squeeze(0);
            if (w != null) w = w.squeeze(0);
        } else if (!batchFirst) {
            out = out.transpose(0, 1);
        }
        return new Output(out, w);
    }

    private Var toBatchFirst(Var x, boolean unbatched) {
        if (unbatched) return x.unsqueeze(0);
        return batchFirst ? x : x.transpose(0, 1);
    }

    /**
     * The multi-head attention computation (torch's F.multi_head_attention_forward) on batch-first inputs:
     * query [N, L, E], key [N, S, kdim], value [N, S, vdim]; returns output [N, L, E] and, if needWeights,
     * weights [N, L, S'] averaged or [N, heads, L, S'] (S' counts the bias_kv / zero-attention keys).
     * Passing the same Var as query, key and value (or as key and value) takes torch's fused projection.
     *
     * @param dropoutP the attention-weight dropout probability, 0 outside training
     */
    public static Output multiHeadAttention(Var query, Var key, Var value, int numHeads, Projections p, boolean addZeroAttn,
                                            Tensor keyPaddingMask, Tensor attnMask, double dropoutP, Generator g,
                                            boolean needWeights, boolean averageAttnWeights) {
        String op = "multi_head_attention";
        if (query.dim() != 3 || key.dim() != 3 || value.dim() != 3)
            throw new IllegalArgumentException(op + ": expects batch-first 3-d query, key and value, got " + Shape.str(query.shape()) + ", "
                    + Shape.str(key.shape()) + ", " + Shape.str(value.shape()));
        int n = query.size(0), tgtLen = query.size(1), e = query.size(2);
        int srcLen = key.size(1);
        if (key.size(0) != n || value.size(0) != n || value.size(1) != srcLen)
            throw new IllegalArgumentException(op + ": key " + Shape.str(key.shape()) + " and value " + Shape.str(value.shape())
                    + " must share batch and length, and match the query's batch (query " + Shape.str(query.shape()) + ")");
        if (numHeads <= 0 || e % numHeads != 0)
            throw new IllegalArgumentException(op + ": embed_dim " + e + " (query " + Shape.str(query.shape()) + ") must be divisible by num_heads " + numHeads);
        int hd = e / numHeads;
        checkProjections(op, p, e, key.size(2), value.size(2));
        Tensor attn = checkAttnMask(op, attnMask, n * numHeads, tgtLen, srcLen);
        Tensor kpm = keyPaddingMask == null ? null : asMask(op, "key_padding_mask", keyPaddingMask);
        if (kpm != null && (kpm.dim() != 2 || kpm.size(0) != n || kpm.size(1) != srcLen))
            throw new IllegalArgumentException(op + ": key_padding_mask must be [" + n + ", " + srcLen + "] (batch, source length), got " + Shape.str(kpm.shape()));

        // input projections
        Var[] qkv = inProjection(query, key, value, p, e);
        Var q = qkv[0], k = qkv[1], v = qkv[2];
        if (p.biasK() != null) {
            // a learned key/value appended to every sequence; masks gain a column that is never masked
            k = Var.cat(1, k, p.biasK().expand(n, 1, e));
            v = Var.cat(1, v, p.biasV().expand(n, 1, e));
            attn = padLastDim(attn);
            kpm = padLastDim(kpm);
        }

        // [N, T, E] -> [N, heads, T, head_dim]; head h of batch b is torch's batch-head b * heads + h
        q = splitHeads(q, numHeads, hd);
        k = splitHeads(k, numHeads, hd);
        v = splitHeads(v, numHeads, hd);
        if (addZeroAttn) {
            Tensor zeros = Tensor.zeros(k.dtype(), n, numHeads, 1, hd);
            k = Var.cat(2, k, Var.of(zeros));
            v = Var.cat(2, v, Var.of(zeros));
            attn = padLastDim(attn);
            kpm = padLastDim(kpm);
        }
        int s = k.size(2);
        Tensor mask = mergeMasks(attn, kpm, n, numHeads, tgtLen, s, q.dtype());

        // scaled dot product: torch 1.13 divides q (not the scores) by sqrt(head_dim) and adds the mask in baddbmm
        Var scores = q.div(Tensor.scalar(Math.sqrt(hd), q.dtype())).matmul(k.transpose(2, 3));
        if (mask != null) scores = scores.add(mask);
        Var weights = scores.softmax(3);
        if (dropoutP > 0) weights = Functional.dropout(weights, dropoutP, true, g);
        Var ctx = weights.matmul(v).transpose(1, 2).reshape(n, tgtLen, e);
        Var out = Functional.linear(ctx, p.outProjWeight(), p.outProjBias());

        if (!needWeights) return new Output(out, null);
        // as torch: the returned weights are the ones used (after dropout), summed over heads then divided
        Var w = averageAttnWeights ? weights.sum(new int[] {1}, false).div(Tensor.scalar(numHeads, weights.dtype())) : weights;
        return new Output(out, w);
    }

    /** torch's _in_projection_packed / _in_projection: one fused product for self-attention, else per input. */
    private static Var[] inProjection(Var q, Var k, Var v, Projections p, int e) {
        Var b = p.inProjBias();
        if (p.inProjWeight() == null) {
            return new Var[] {
                    Functional.linear(q, p.qProjWeight(), b == null ? null : b.narrow(0, 0, e)),
                    Functional.linear(k, p.kProjWeight(), b == null ? null : b.narrow(0, e, e)),
                    Functional.linear(v, p.vProjWeight(), b == null ? null : b.narrow(0, 2 * e, e))};
        }
        Var w = p.inProjWeight();
        if (k == v) {
            if (q == k) {
                var parts = Functional.linear(q, w, b).chunk(3, 2);
                return new Var[] {parts.get(0), parts.get(1), parts.get(2)};
            }
            var kv = Functional.linear(k, w.narrow(0, e, 2 * e), b == null ? null : b.narrow(0, e, 2 * e)).chunk(2, 2);
            return new Var[] {Functional.linear(q, w.narrow(0, 0, e), b == null ? null : b.narrow(0, 0, e)), kv.get(0), kv.get(1)};
        }
        Var[] out = new Var[3];
        Var[] in = {q, k, v};
        for (int i = 0; i < 3; i++) out[i] = Functional.linear(in[i], w.narrow(0, i * e, e), b == null ? null : b.narrow(0, i * e, e));
        return out;
    }

    private static Var splitHeads(Var x, int heads, int hd) {
        return x.reshape(x.size(0), x.size(1), heads, hd).transpose(1, 2);
    }

    private static void checkProjections(String op, Projections p, int e, int kdim, int vdim) {
        if (p.inProjWeight() != null) {
            if (kdim != e || vdim != e)
                throw new IllegalArgumentException(op + ": a packed in_proj_weight needs key and value features equal to embed_dim " + e
                        + ", got kdim " + kdim + ", vdim " + vdim + " (use separate q/k/v projection weights)");
            requireShape(op, "in_proj_weight", p.inProjWeight(), 3 * e, e);
        } else {
            if (p.qProjWeight() == null || p.kProjWeight() == null || p.vProjWeight() == null)
                throw new IllegalArgumentException(op + ": needs in_proj_weight or all of q_proj_weight, k_proj_weight, v_proj_weight");
            requireShape(op, "q_proj_weight", p.qProjWeight(), e, e);
            requireShape(op, "k_proj_weight", p.kProjWeight(), e, kdim);
            requireShape(op, "v_proj_weight", p.vProjWeight(), e, vdim);
        }
        if (p.inProjBias() != null) requireShape(op, "in_proj_bias", p.inProjBias(), 3 * e);
        if ((p.biasK() == null) != (p.biasV() == null)) throw new IllegalArgumentException(op + ": bias_k and bias_v must be given together");
        if (p.biasK() != null) {
            requireShape(op, "bias_k", p.biasK(), 1, 1, e);
            requireShape(op, "bias_v", p.biasV(), 1, 1, e);
        }
        requireShape(op, "out_proj.weight", p.outProjWeight(), e, e);
        if (p.outProjBias() != null) requireShape(op, "out_proj.bias", p.outProjBias(), e);
    }

    private static void requireShape(String op, String name, Var x, int... shape) {
        if (!Arrays.equals(x.shape(), shape))
            throw new IllegalArgumentException(op + ": " + name + " must be " + Shape.str(shape) + ", got " + Shape.str(x.shape()));
    }

    /** Bool and floating masks pass; integer masks (torch's deprecated uint8 form) are read as nonzero = masked. */
    private static Tensor asMask(String op, String name, Tensor m) {
        if (m.dtype() == DType.BOOL || m.dtype().isFloating()) return m;
        if (m.dtype().isIntegral()) return m.ne(0.0);
        throw new IllegalArgumentException(op + ": " + name + " must be bool or floating, got " + m.dtype().torchName());
    }

    private static Tensor checkAttnMask(String op, Tensor m, int batchHeads, int tgtLen, int srcLen) {
        if (m == null) return null;
        m = asMask(op, "attn_mask", m);
        if (m.dim() == 2) {
            if (m.size(0) != tgtLen || m.size(1) != srcLen)
                throw new IllegalArgumentException(op + ": the 2-d attn_mask is " + Shape.str(m.shape()) + ", but should be [" + tgtLen + ", " + srcLen + "]");
        } else if (m.dim() == 3) {
            if (m.size(0) != batchHeads || m.size(1) != tgtLen || m.size(2) != srcLen)
                throw new IllegalArgumentException(op + ": the 3-d attn_mask is " + Shape.str(m.shape()) + ", but should be [" + batchHeads + ", " + tgtLen
                        + ", " + srcLen + "] (batch * num_heads, target, source)");
        } else {
            throw new IllegalArgumentException(op + ": attn_mask must be 2-d or 3-d, got " + Shape.str(m.shape()));
        }
        return m;
    }

    /** Appends one unmasked column (false / 0) to a mask, for an appended key. */
    private static Tensor padLastDim(Tensor m) {
        if (m == null) return null;
        int[] s = m.shape();
        s[s.length - 1] = 1;
        return Tensor.cat(m.dim() - 1, m, Tensor.zeros(m.dtype(), s));
    }

    /**
     * Merges the attention and key-padding masks into one additive mask broadcastable to [N, heads, L, S], as
     * torch 1.13: two bool masks are or-ed; a bool padding mask fills a float attention mask with -inf; a bool
     * result becomes 0 / -inf. A float key-padding mask (which 1.13 accepts only alone) is added.
     */
    private static Tensor mergeMasks(Tensor attn, Tensor kpm, int n, int heads, int tgtLen, int srcLen, DType dt) {
        Tensor mask = attn == null ? null : attn.dim() == 2 ? attn.reshape(1, 1, tgtLen, srcLen) : attn.reshape(n, heads, tgtLen, srcLen);
        if (kpm != null) {
            Tensor pad = kpm.reshape(n, 1, 1, srcLen);
            if (mask == null) mask = pad;
            else if (mask.dtype() == DType.BOOL && pad.dtype() == DType.BOOL) mask = mask.logicalOr(pad);
            else if (pad.dtype() == DType.BOOL) mask = Tensor.where(pad, Tensor.scalar(Double.NEGATIVE_INFINITY, dt), mask.to(dt));
            else mask = additive(mask, dt).add(pad.to(dt));
        }
        return mask == null ? null : additive(mask, dt);
    }

    private static Tensor additive(Tensor m, DType dt) {
        if (m.dtype() != DType.BOOL) return m.to(dt);
        return Tensor.where(m, Tensor.scalar(Double.NEGATIVE_INFINITY, dt), Tensor.scalar(0.0, dt));
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", dropout=" + dropout + ", batch_first=" + batchFirst
                + (kdim != embedDim || vdim != embedDim ? ", kdim=" + kdim + ", vdim=" + vdim : "")
                + (parameter("bias_k") != null ? ", add_bias_kv=true" : "") + (addZeroAttn ? ", add_zero_attn=true" : "");
    }
}
