using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ClonusCds.Api.OpenApi;
using ClonusCds.Core;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;

namespace ClonusCds.Benchmarks;

/// <summary>
/// Writing the response of <c>POST /api/v1/assessments</c>: the reflection serializer against
/// <see cref="AssessmentJsonWriter"/>. One operation writes all seven worked-example assessments
/// (OpenApi/Examples, 6–23 KB each), so divide by 7 for one response. Each benchmark writes into a
/// reused <see cref="ArrayBufferWriter{T}"/> through a reused <see cref="Utf8JsonWriter"/>, so
/// only the serialization itself is measured.
/// </summary>
/// <remarks>
/// Two encoders: <c>Http</c> is what the endpoint sends (ASP.NET Core's HTTP JSON options, which
/// use the relaxed encoder, plus ClonusJson's settings); <c>Default</c> is ClonusJson.Options
/// (default encoder, every non-ASCII character escaped). <c>SerializeToUtf8BytesDefault</c> is
/// the plain call the tests and tools use, for comparison with earlier figures.
/// <c>FastWriterHttpValidated</c> shows what <see cref="JsonWriterOptions.SkipValidation"/>
/// saves. Same warm-up reasoning as <see cref="EndToEndBenchmarks"/>.
/// </remarks>
[WarmupCount(20)]
[InvocationCount(4096)]
public class SerializationBenchmarks
{
    private Assessment[] _assessments = null!;
    private JsonSerializerOptions _http = null!;
    private AssessmentJsonWriter _fastDefault = null!;
    private AssessmentJsonWriter _fastHttp = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private Utf8JsonWriter _reflectionDefault = null!;
    private Utf8JsonWriter _reflectionHttp = null!;
    private Utf8JsonWriter _writerDefault = null!;
    private Utf8JsonWriter _writerHttp = null!;
    private Utf8JsonWriter _writerHttpValidated = null!;

    /// <summary>Assesses the seven worked examples once and builds the writers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var kb = ClinicalKnowledgeBase.LoadEmbedded();
        var engine = new TriageEngine(kb);
        _assessments = [.. WorkedExamples.All.Select(e => engine.Assess(e.Example.Value.Deserialize<PatientContext>(ClonusJson.Options)!))];
        _http = HttpOptions();
        _fastDefault = new AssessmentJsonWriter(kb);
        _fastHttp = new AssessmentJsonWriter(kb, _http);
        // The writers the serializer would build for itself: compact, the options' encoder, no validation.
        _reflectionDefault = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = ClonusJson.Options.Encoder, SkipValidation = true });
        _reflectionHttp = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = _http.Encoder, SkipValidation = true });
        _writerDefault = new Utf8JsonWriter(_buffer, _fastDefault.WriterOptions);
        _writerHttp = new Utf8JsonWriter(_buffer, _fastHttp.WriterOptions);
        _writerHttpValidated = new Utf8JsonWriter(_buffer, _fastHttp.WriterOptions with { SkipValidation = false });
        Verify();
    }

    /// <summary>The options the endpoint serializes with: ASP.NET Core's defaults plus ClonusJson's settings (as Program.cs configures them).</summary>
    internal static JsonSerializerOptions HttpOptions()
    {
        var options = new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions;
        ClonusJson.Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Reflection serializer, endpoint options.</summary>
    [Benchmark(Baseline = true)]
    public long ReflectionHttp()
    {
        long total = 0;
        foreach (var a in _assessments)
        {
            JsonSerializer.Serialize(Begin(_reflectionHttp), a, _http);
            total += End(_reflectionHttp);
        }

        return total;
    }

    /// <summary>Fast writer, endpoint options.</summary>
    [Benchmark]
    public long FastWriterHttp()
    {
        long total = 0;
        foreach (var a in _assessments)
        {
            _fastHttp.Write(Begin(_writerHttp), a);
            total += End(_writerHttp);
        }

        return total;
    }

    /// <summary>Fast writer, endpoint options, with the Utf8JsonWriter's structural validation on.</summary>
    [Benchmark]
    public long FastWriterHttpValidated()
    {
        long total = 0;
        foreach (var a in _assessments)
        {
            _fastHttp.Write(Begin(_writerHttpValidated), a);
            total += End(_writerHttpValidated);
        }

        return total;
    }

    /// <summary>Reflection serializer, ClonusJson.Options.</summary>
    [Benchmark]
    public long ReflectionDefault()
    {
        long total = 0;
        foreach (var a in _assessments)
        {
            JsonSerializer.Serialize(Begin(_reflectionDefault), a, ClonusJson.Options);
            total += End(_reflectionDefault);
        }

        return total;
    }

    /// <summary>Fast writer, ClonusJson.Options.</summary>
    [Benchmark]
    public long FastWriterDefault()
    {
        long total = 0;
        foreach (var a in _assessments)
        {
            _fastDefault.Write(Begin(_writerDefault), a);
            total += End(_writerDefault);
        }

        return total;
    }

    /// <summary><c>JsonSerializer.SerializeToUtf8Bytes(assessment, ClonusJson.Options)</c>: a new array per response.</summary>
    [Benchmark]
    public long SerializeToUtf8BytesDefault()
    {
        long total = 0;
        foreach (var a in _assessments)
        {
            total += JsonSerializer.SerializeToUtf8Bytes(a, ClonusJson.Options).Length;
        }

        return total;
    }

    private Utf8JsonWriter Begin(Utf8JsonWriter writer)
    {
        _buffer.ResetWrittenCount();
        writer.Reset(_buffer);
        return writer;
    }

    private int End(Utf8JsonWriter writer)
    {
        writer.Flush();
        return _buffer.WrittenCount;
    }

    /// <summary>The benchmark compares equal work: each fast output must equal the serializer's.</summary>
    private void Verify()
    {
        foreach (var a in _assessments)
        {
            foreach (var (writer, fast, options) in new[] { (_writerDefault, _fastDefault, ClonusJson.Options), (_writerHttp, _fastHttp, _http) })
            {
                fast.Write(Begin(writer), a);
                End(writer);
                if (!_buffer.WrittenSpan.SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(a, options)))
                {
                    throw new InvalidOperationException("the fast writer's output differs from the serializer's");
                }
            }
        }
    }
}
