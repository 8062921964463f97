using Nerve;
using Nerve.Corpus;
using Nerve.Model;
using Nerve.Vectors;
using SharpFuzz;

// One AFL++ target per reader: the input bytes go to a file (the readers take paths) and are read. Only a
// NerveException is an expected outcome; anything else escapes and AFL++ records the input as a crash.
// Usage (under afl-fuzz, see scripts/fuzz.sh): Nerve.Fuzz conll|vectors|vectors.gz|model
string kind = args.Length == 1 ? args[0] : "";
Action<string> read = kind switch
{
    "conll" => p => CorpusReader.Read(p),
    "vectors" or "vectors.gz" => p => WordVectors.Load(p),
    "model" => p => NerModel.Load(p, verify: false), // past the SHA-256, so the parsers behind it are reached
    _ => throw new ArgumentException("usage: Nerve.Fuzz conll|vectors|vectors.gz|model"),
};
string path = Path.Combine(Path.GetTempPath(), $"nerve-fuzz-{Environment.ProcessId}" + (kind == "vectors.gz" ? ".gz" : ""));
Fuzzer.OutOfProcess.Run(stream =>
{
    using (var file = File.Create(path)) stream.CopyTo(file);
    try
    {
        read(path);
    }
    catch (NerveException)
    {
    }
});
