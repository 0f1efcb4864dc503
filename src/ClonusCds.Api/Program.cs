using ClonusCds.Api.Assessments;
using ClonusCds.Api.Audit;
using ClonusCds.Api.CdsHooks;
using ClonusCds.Api.CdsHooks.Feedback;
using ClonusCds.Api.CdsHooks.Trust;
using ClonusCds.Api.Health;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Api.Infrastructure.Telemetry;
using ClonusCds.Api.Knowledge;
using ClonusCds.Api.OpenApi;
using ClonusCds.Api.Storage;
using ClonusCds.Core;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using FluentValidation;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

// Structured JSON logs: Serilog is the host's logging (Serilog.AspNetCore), one JSON object per
// line on stdout (SerilogSetup). The logger is built before the host because the knowledge base
// is checked before the host exists, and its failure is logged. Every ILogger<T> writes to it;
// Microsoft.Extensions.Logging providers registered in the container (none here: the defaults are
// cleared so nothing writes text beside the JSON; the tests add a capture) receive every event it
// writes. The static Log.Logger is left alone. Request lines: UseSerilogRequestLogging below.
var logProviders = new Serilog.Extensions.Logging.LoggerProviderCollection();
var serilog = SerilogSetup.CreateLogger(builder.Configuration, logProviders);
builder.Logging.ClearProviders();
builder.Services.AddSerilog(serilog, dispose: true, providers: logProviders);

// The knowledge base loads and validates before anything serves: invalid content stops startup.
ClinicalKnowledgeBase knowledgeBase;
try
{
    var directory = builder.Configuration["KnowledgeBase:Directory"];
    knowledgeBase = string.IsNullOrWhiteSpace(directory)
        ? ClinicalKnowledgeBase.LoadEmbedded()
        : ClinicalKnowledgeBase.LoadFromDirectory(directory);
}
catch (KnowledgeBaseValidationException ex)
{
    serilog.Fatal("Knowledge base failed validation; refusing to start. {Problems}", ex.Problems);
    throw;
}

builder.Services.AddSingleton(knowledgeBase);
builder.Services.AddSingleton<TriageEngine>();
// The assessments endpoint's response writer: pre-encoded knowledge-base text, byte for byte what
// the serializer writes with the HTTP JSON options below (relaxed encoder plus ClonusJson's rules).
builder.Services.AddSingleton(sp => new AssessmentJsonWriter(
    sp.GetRequiredService<ClinicalKnowledgeBase>(),
    sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions));
builder.Services.AddSingleton(TimeProvider.System);
// Every validator in this assembly, registered by the library (FluentValidation's DI extensions;
// ADR 0005): singletons, because they hold no per-request state and the fast path keeps caches.
builder.Services.AddValidatorsFromAssemblyContaining<PatientContextValidator>(ServiceLifetime.Singleton, includeInternalTypes: true);
builder.Services.AddSingleton<PatientContextReader>();

builder.Services.ConfigureHttpJsonOptions(o => ClonusJson.Configure(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.Configure<RequestLimitsOptions>(builder.Configuration.GetSection(RequestLimitsOptions.Section));
builder.WebHost.ConfigureKestrel((context, kestrel) =>
{
    var limits = context.Configuration.GetSection(RequestLimitsOptions.Section).Get<RequestLimitsOptions>() ?? new();
    kestrel.Limits.MaxRequestBodySize = limits.Largest;
    kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
    kestrel.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
    kestrel.Limits.MaxRequestLineSize = limits.MaxRequestLineBytes;
    kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
    kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
    kestrel.Limits.MaxConcurrentConnections = limits.MaxConcurrentConnections;
    kestrel.AddServerHeader = false;
});

builder.Services.AddProblemDetails(ProblemDetailsSetup.Customize);
builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
builder.Services.AddHealthChecks().AddCheck<KnowledgeBaseHealthCheck>("knowledge-base", tags: ["ready"]);
builder.Services.Configure<CdsHooksOptions>(builder.Configuration.GetSection(CdsHooksOptions.Section));
builder.Services.AddSingleton<CdsHookHandler>();
builder.Services.AddSingleton<ClonusCds.Api.CdsHooks.Fhir.FhirPatientMapper>();
ClonusCds.Api.CdsHooks.Fhir.FhirFetchRegistration.AddFhirFetch(builder.Services);
builder.Services.AddSingleton<ClonusCds.Api.CdsHooks.Cards.CardBuilder>();
// Storage first: its stores (SQLite or PostgreSQL, Storage:Provider) win over the defaults that
// AddCdsHooksTrust and AddCdsFeedback register only if nothing else has.
builder.Services.AddClonusStorage(builder.Configuration);
builder.Services.AddCdsHooksTrust(builder.Configuration, builder.Environment);
builder.Services.AddClonusApiAuth(builder.Configuration, builder.Environment);
builder.Services.AddCdsFeedback(builder.Configuration);
builder.Services.AddClonusRateLimiting(builder.Configuration);
builder.Services.AddClonusTransport(builder.Configuration);
builder.Services.AddClonusSwagger();
// OpenTelemetry (section "Telemetry"): off unless an OTLP endpoint or Prometheus is configured.
builder.Services.AddClonusTelemetry(builder.Configuration);

var app = builder.Build();

// Built now rather than on the first request: a writer that no longer matches the model or the
// JSON options throws here and stops startup, as an invalid knowledge base does.
app.Services.GetRequiredService<AssessmentJsonWriter>();

// PostgreSQL: wait for the server and apply the schema migrations before listening (SQLite
// migrates on first use). A failure stops start-up, as an invalid knowledge base does.
try
{
    await StorageRegistration.MigrateAsync(app.Services, app.Lifetime.ApplicationStopping);
}
catch (StorageMigrationException ex)
{
    serilog.Fatal("Storage is not usable; refusing to start. {Problem}", ex.Message);
    throw;
}

// The request line (RequestLogging.Configure): written by the library when the response is
// complete. Outermost, so it records the status the exception handler and status pages gave.
app.UseSerilogRequestLogging(options => RequestLogging.Configure(options, app.Services));
app.Use(RequestLogging.Mark);
app.UseMiddleware<SecurityHeaders>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseClonusTransport();
app.UseMiddleware<RequestBodyLimit>();
app.UseMiddleware<JsonCharset>();
app.UseCors();
app.UseClonusRateLimiting();

app.UseClonusSwagger();
// The clinician page (wwwroot: plain HTML, CSS and JavaScript modules, no build step) at /. It
// calls the same public routes as any client; SecurityHeaders gives it a policy of its own.
app.UseDefaultFiles();
app.UseStaticFiles();
// REST bearer tokens (JwtBearer) and scopes (authorization policies), last before the endpoints:
// inside the exception handler, request log, headers, CORS and rate limit, and before an endpoint
// binds or reads its body, so an unauthenticated caller's malformed body gets 401, not 400. Called
// explicitly, so the minimal host does not add them in front of the whole pipeline.
app.UseAuthentication();
app.UseAuthorization();

app.MapAssessments();
app.MapAudit();
app.MapKnowledge();
app.MapHealth();
app.MapCdsHooks();
app.MapExamples();
app.UseClonusTelemetry(); // GET /metrics when Telemetry:PrometheusEnabled

#if BENCHMARK
app.MapBenchmark();
#endif
app.Run();

/// <summary>Entry point (public for WebApplicationFactory).</summary>
public partial class Program;
