using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ClonusCds.Api.Assessments;
using ClonusCds.Api.OpenApi;
using ClonusCds.Core;
using ClonusCds.Core.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ClonusCds.Benchmarks;

/// <summary>
/// Reading the body of POST /api/v1/assessments on the seven worked examples (all valid): the
/// framework's JSON binding (<c>ReadFromJsonAsync</c>, what minimal APIs ran before issue 15) against
/// <see cref="PatientContextReader"/>, which reads the whole body from the pipe and deserializes it in
/// one synchronous call so that a refused body can be walked again for every problem. Each
/// benchmark reads all seven bodies, each through a fresh <see cref="DefaultHttpContext"/> over a
/// <see cref="MemoryStream"/>; with OperationsPerInvoke = 7 the figures are per body.
/// </summary>
[WarmupCount(10)]
[MinIterationTime(250)]
public class BodyBindingBenchmarks
{
    private const int Examples = 7;

    private byte[][] _bodies = null!;
    private JsonSerializerOptions _options = null!;
    private PatientContextReader _reader = null!;

    /// <summary>The HTTP JSON options as Program.cs configures them, the reader, the example bodies.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var json = new JsonOptions();
        ClonusJson.Configure(json.SerializerOptions);
        _options = json.SerializerOptions;
        _reader = new PatientContextReader(Options.Create(json), new PatientContextValidator());
        _bodies = [.. WorkedExamples.All.Select(e => Encoding.UTF8.GetBytes(e.Example.Value.GetRawText()))];
        if (_bodies.Length != Examples)
        {
            throw new InvalidOperationException($"expected {Examples} worked examples, found {_bodies.Length}");
        }
    }

    private static DefaultHttpContext Context(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body, writable: false);
        return context;
    }

    /// <summary>The framework's binding.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Examples)]
    public async Task<int> FrameworkReadFromJson()
    {
        var read = 0;
        foreach (var body in _bodies)
        {
            read += await Context(body).Request.ReadFromJsonAsync<PatientContext>(_options) is null ? 0 : 1;
        }

        return read;
    }

    /// <summary>The reader the endpoint uses now.</summary>
    [Benchmark(OperationsPerInvoke = Examples)]
    public async Task<int> ClonusReader()
    {
        var read = 0;
        foreach (var body in _bodies)
        {
            read += (await _reader.ReadAsync(Context(body)))?.Value is null ? 0 : 1;
        }

        return read;
    }
}
