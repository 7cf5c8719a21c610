using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;

namespace Diffusion.Modalities.Text.Metrics;

/// <summary>
/// Generative perplexity: a small causal (left-to-right) transformer trained in-project on the training rows scores
/// samples by the exponential of its mean next-token loss. It stands in for the large pretrained language models papers
/// use (none can be downloaded here), so its numbers compare runs on the same corpus, not with published values. The
/// trained scorer is cached under the runs folder, keyed by a hash of the data and its settings, so every run on the same
/// data scores with the same scorer.
/// </summary>
internal sealed class AutoregressiveScorer : IDisposable
{

    private readonly CausalLm _model;
    private readonly int _pad, _begin;

    private AutoregressiveScorer(CausalLm model, int pad, int begin)
    {
        _model = model;
        _pad = pad;
        _begin = begin;
    }

    /// <summary>
    /// The scorer for <paramref name="rows"/> (training rows [N][L]): loaded from <paramref name="cacheFolder"/> when a scorer
    /// for the same data and settings was trained before, else trained as <paramref name="settings"/> say and cached.
    /// </summary>
    public static AutoregressiveScorer For(IReadOnlyList<long[]> rows, int vocabSize, int pad, int begin, ScorerSettings settings, string cacheFolder, ILogger logger)
    {
        int length = rows[0].Length;
        string key = CacheKey(rows, vocabSize, pad, begin, settings);
        string path = Path.Combine(cacheFolder, $"gen-ppl-{key}.bin");
        // A fixed initialisation without disturbing the caller's global generator (later stages may draw from it).
        using var callerState = get_rng_state();
        manual_seed(0x5c0e);
        CausalLm model;
        try
        {
            model = new CausalLm(vocabSize, length, settings);
        }
        finally
        {
            set_rng_state(callerState);
        }
        if (File.Exists(path))
        {
            model.load(path);
            logger.LogInformation("gen_ppl scorer loaded from {Path}", path);
        }
        else
        {
            Train(model, rows, pad, begin, settings);
            Directory.CreateDirectory(cacheFolder);
            string temporary = path + $".{Environment.ProcessId}.tmp";
            model.save(temporary);
            File.Move(temporary, path, overwrite: true);
            logger.LogInformation("gen_ppl scorer ({Parameters:N0} parameters) trained for {Steps} steps on {Rows} rows, cached at {Path}",
                model.parameters().Sum(p => p.numel()), settings.Steps, rows.Count, path);
        }
        model.eval();
        return new AutoregressiveScorer(model, pad, begin);
    }

    /// <summary>The exponential of the mean next-token loss over the non-[PAD] tokens of <paramref name="rows"/>.</summary>
    public double Perplexity(IReadOnlyList<long[]> rows)
    {
        using var noGrad = no_grad();
        double nll = 0;
        long count = 0;
        const int chunk = 32;
        for (int start = 0; start < rows.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            var batch = Batch(rows, start, Math.Min(chunk, rows.Count - start));
            var (loss, n) = SummedLoss(_model, batch, _pad, _begin);
            nll += loss.item<double>();
            count += n;
        }
        return count == 0 ? double.NaN : Math.Exp(nll / count);
    }

    private static void Train(CausalLm model, IReadOnlyList<long[]> rows, int pad, int begin, ScorerSettings settings)
    {
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), settings.LearningRate);
        using var generator = new Generator(0x5c0e, CPU);
        for (int step = 0; step < settings.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var index = randint(0, rows.Count, [settings.BatchSize], dtype: ScalarType.Int64, generator: generator);
            var batch = stack(index.data<long>().Select(i => tensor(rows[(int)i])).ToArray());
            optimizer.zero_grad();
            var (loss, n) = SummedLoss(model, batch, pad, begin);
            (loss / Math.Max(n, 1)).backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
        }
    }

    /// <summary>Summed next-token loss of rows [B, L] with [EOS] prepended as the start token, over targets that are not [PAD].</summary>
    private static (Tensor Loss, long Count) SummedLoss(CausalLm model, Tensor rows, int pad, int begin)
    {
        long b = rows.shape[0], length = rows.shape[1];
        var inputs = cat([full([b, 1], begin, dtype: ScalarType.Int64), rows.narrow(1, 0, length - 1)], 1);
        var logits = model.call(inputs);
        var losses = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), rows.reshape(-1), reduction: nn.Reduction.None);
        var keep = rows.reshape(-1).ne(pad).to_type(ScalarType.Float32);
        return ((losses.to_type(ScalarType.Float64) * keep).sum(), (long)keep.sum().item<float>());
    }

    private static Tensor Batch(IReadOnlyList<long[]> rows, int start, int count) =>
        stack(Enumerable.Range(start, count).Select(i => tensor(rows[i])).ToArray());

    private static string CacheKey(IReadOnlyList<long[]> rows, int vocabSize, int pad, int begin, ScorerSettings s)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(FormattableString.Invariant(
            $"v1 {vocabSize} {pad} {begin} {s.Steps} {s.Hidden} {s.Layers} {s.Heads} {s.BatchSize} {s.LearningRate} {rows.Count} {rows[0].Length}")));
        foreach (var row in rows) hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    public void Dispose() => _model.Dispose();

    /// <summary>A small GPT-style decoder: token and position embeddings, pre-norm causal blocks, a linear head.</summary>
    private sealed class CausalLm : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding tokens;
        private readonly Embedding positions;
        private readonly ModuleList<Block> blocks = new();
        private readonly LayerNorm norm;
        private readonly Linear head;

        public CausalLm(int vocabSize, int length, ScorerSettings settings) : base("gen_ppl_scorer")
        {
            tokens = nn.Embedding(vocabSize, settings.Hidden);
            positions = nn.Embedding(length, settings.Hidden);
            for (int i = 0; i < settings.Layers; i++) blocks.Add(new Block(settings.Hidden, settings.Heads));
            norm = nn.LayerNorm(settings.Hidden);
            head = nn.Linear(settings.Hidden, vocabSize);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var h = tokens.call(x) + positions.call(arange(x.shape[1], dtype: ScalarType.Int64)).unsqueeze(0);
            foreach (var block in blocks) h = block.call(h);
            return head.call(norm.call(h));
        }
    }

    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly int hidden, heads;
        private readonly LayerNorm norm1;
        private readonly Linear qkv;
        private readonly Linear proj;
        private readonly LayerNorm norm2;
        private readonly Linear up;
        private readonly Linear down;

        public Block(int hidden, int heads) : base("block")
        {
            this.hidden = hidden;
            this.heads = heads;
            norm1 = nn.LayerNorm(hidden);
            qkv = nn.Linear(hidden, 3 * hidden);
            proj = nn.Linear(hidden, hidden);
            norm2 = nn.LayerNorm(hidden);
            up = nn.Linear(hidden, 4 * hidden);
            down = nn.Linear(4 * hidden, hidden);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            long b = x.shape[0], n = x.shape[1];
            var parts = qkv.call(norm1.call(x)).reshape(b, n, 3, heads, hidden / heads).permute(2, 0, 3, 1, 4);
            var attended = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2], is_casual: true);
            x = x + proj.call(attended.transpose(1, 2).reshape(b, n, hidden));
            return x + down.call(nn.functional.gelu(up.call(norm2.call(x))));
        }
    }
}

/// <summary>Size and training of the autoregressive scorer (and AR baseline): the defaults are a 2-layer, width-64 model.</summary>
internal sealed record ScorerSettings(int Steps, int Hidden = 64, int Layers = 2, int Heads = 4, int BatchSize = 32, double LearningRate = 3e-3);

