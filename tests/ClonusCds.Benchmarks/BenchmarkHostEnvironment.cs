namespace ClonusCds.Benchmarks;

/// <summary>A host environment rooted in a temporary folder, for storage the benchmarks create outside a host.</summary>
internal sealed class BenchmarkHostEnvironment(string root) : Microsoft.Extensions.Hosting.IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Benchmark";
    public string ApplicationName { get; set; } = "ClonusCds.Api";
    public string ContentRootPath { get; set; } = root;
    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
}
