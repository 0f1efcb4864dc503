using BenchmarkDotNet.Attributes;
using ClonusCds.Api.CdsHooks;
using ClonusCds.Api.CdsHooks.Cards;
using ClonusCds.Api.CdsHooks.Fhir;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Triage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClonusCds.Benchmarks;

/// <summary>
/// One CDS Hooks order-select call through the handler, without the network: parse the request
/// (prefetched FHIR: Patient, sertraline, clonus, tremor, hyperreflexia, temperature), map FHIR to a
/// patient context, run the engine with and without the tramadol draft, build the card, write the
/// JSON response. The request is <c>CdsOrderSelect.json</c>.
/// </summary>
[WarmupCount(20)]
[InvocationCount(4096)]
public class CdsHooksBenchmarks
{
    private CdsHookHandler _handler = null!;
    private IServiceProvider _services = null!;
    private static readonly ClonusCds.Api.Audit.AuditTrail Audit = new(Options.Create(new ClonusCds.Api.Audit.AuditOptions()), TimeProvider.System,
        NullLogger<ClonusCds.Api.Audit.AuditTrail>.Instance);
    private byte[] _request = null!;

    /// <summary>Builds the handler over the embedded knowledge base.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var kb = ClinicalKnowledgeBase.LoadEmbedded();
        var options = Options.Create(new CdsHooksOptions());
        // The fetch path is not used (the request carries every prefetch key); the fetcher gets the
        // service's own registration all the same.
        var fetch = FhirFetchRegistration.AddFhirFetch(new ServiceCollection().AddSingleton(options)).BuildServiceProvider();
        _handler = new CdsHookHandler(new TriageEngine(kb), new FhirPatientMapper(kb, TimeProvider.System), fetch.GetRequiredService<FhirFetcher>(),
            new CardBuilder(kb), Audit, new ClonusCds.Api.Infrastructure.Telemetry.ClonusMetrics(), options, NullLogger<CdsHookHandler>.Instance);
        // The audit trail as in the service: records queued on the request path, drained (here discarded) by a reader.
        _ = Task.Run(async () =>
        {
            while (await Audit.Reader.WaitToReadAsync())
            {
                while (Audit.Reader.TryRead(out _))
                {
                }
            }
        });
        _services = new ServiceCollection().AddLogging().BuildServiceProvider();
        using var stream = typeof(CdsHooksBenchmarks).Assembly.GetManifestResourceStream("CdsOrderSelect.json")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        _request = copy.ToArray();
    }

    /// <summary>The order-select call; returns the response body.</summary>
    [Benchmark]
    public byte[] OrderSelectTramadolOnSertraline() => Call().GetAwaiter().GetResult();

    /// <summary>Runs the call and returns status and body (for the smoke check).</summary>
    public async Task<byte[]> Call()
    {
        var http = new DefaultHttpContext { RequestServices = _services };
        http.Request.Method = "POST";
        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream(_request);
        var body = new MemoryStream();
        http.Response.Body = body;
        var result = await _handler.HandleAsync(CdsServiceCatalog.OrderSelectId, http, CancellationToken.None);
        await result.ExecuteAsync(http);
        if (http.Response.StatusCode != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"order-select answered {http.Response.StatusCode}");
        }

        return body.ToArray();
    }
}
