using BenchmarkDotNet.Running;
using BuildSentry.Benchmarks.Replay;
using BuildSentry.Core.Tracing;

// "generate-trace N FILE" writes a synthetic trace for `buildsentry replay` (scripts/bench.sh, measurement 6);
// anything else goes to BenchmarkDotNet.
if (args is ["generate-trace", var count, var path])
{
    using var writer = new TraceWriter(new BufferedStream(File.Create(path), 1 << 20));
    var written = new SyntheticTrace(writer).Write(long.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
    Console.WriteLine($"{written} events written to {path}");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
