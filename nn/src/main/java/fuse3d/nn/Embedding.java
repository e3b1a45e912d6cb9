package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;

/**
 * torch.nn.Embedding: a lookup table weight [num_embeddings, embedding_dim], initialised N(0, 1), mapping
 * integer indices of any shape to rows. The padding_idx row starts at zero and never gets a gradient, so it
 * stays a fixed "no token" vector through training.
 */
public final class Embedding extends Layer {
    public final int numEmbeddings, embeddingDim;
    private final Integer paddingIdx;

    /** @param paddingIdx null for none; a negative value counts from the end, as in PyTorch */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Generator g) {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new IllegalArgumentException("Embedding: sizes must be positive, got num_embeddings " + numEmbeddings + ", embedding_dim " + embeddingDim);
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings))
            throw new IllegalArgumentException("Embedding: padding_idx " + paddingIdx + " must be within num_embeddings " + numEmbeddings);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        Tensor w = g.normal(0, 1, numEmbeddings, embeddingDim);
        if (this.paddingIdx != null) w.select(0, this.paddingIdx).zero_();
        registerParameter("weight", w);
    }

    public Embedding(int numEmbeddings, int embeddingDim, Generator g) { this(numEmbeddings, embeddingDim, null, g); }

    public Var weight() { return parameter("weight"); }

    /** The padding row (non-negative), or null. */
    public Integer paddingIdx() { return paddingIdx; }

    /** Looks up integer indices (through {@link #apply}, so hooks run). */
    public Var apply(Tensor indices) { return apply(Var.of(indices)); }

    /** {@code x} carries the integer indices; an embedding has no gradient with respect to them. */
    @Override
    protected Var forward(Var x) { return Functional.embedding(x.data(), weight(), paddingIdx); }

    @Override
    protected String extraRepr() { return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx); }
}
