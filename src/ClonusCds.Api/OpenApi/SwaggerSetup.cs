using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClonusCds.Api.Security;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ClonusCds.Api.OpenApi;

/// <summary>Swagger UI for clinicians: described fields, enums as their wire strings, one-click examples.</summary>
internal static class SwaggerSetup
{
    private static readonly string[] XmlDocs = ["ClonusCds.Api.xml", "ClonusCds.Core.xml"];

    public static IServiceCollection AddClonusSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ClonusCds API",
                Version = "v1",
                Description =
                    "Clinical decision support for clonus: etiology-first triage (serotonin toxicity and its look-alikes, " +
                    "upper-motor-neuron lesions, seizure mimics, metabolic causes, infants, normal variants) with cited " +
                    "recommendations. Decision support for clinicians; not a substitute for clinical judgement. Content is " +
                    "pending clinical sign-off (see GET /api/v1/knowledge).",
            });
            foreach (var xml in XmlDocs)
            {
                var path = Path.Combine(AppContext.BaseDirectory, xml);
                if (File.Exists(path))
                {
                    o.IncludeXmlComments(path);
                }
            }

            o.OperationFilter<AssessmentExamplesFilter>();
            o.AddClonusBearerSecurity();
            o.SupportNonNullableReferenceTypes();
        });
        return services;
    }

    public static WebApplication UseClonusSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "ClonusCds API v1");
            o.DocumentTitle = "ClonusCds API";
            o.EnableTryItOutByDefault();
            o.DisplayRequestDuration();
        });
        return app;
    }
}

/// <summary>Worked examples for POST /api/v1/assessments (embedded OpenApi/Examples/*.json).</summary>
internal sealed class AssessmentExamplesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.RelativePath?.TrimEnd('/') != "api/v1/assessments"
            || operation.RequestBody?.Content?.TryGetValue("application/json", out var media) != true || media is null)
        {
            return;
        }

        media.Examples ??= new Dictionary<string, IOpenApiExample>();
        foreach (var (name, example) in WorkedExamples.All)
        {
            media.Examples[name] = new OpenApiExample
            {
                Summary = example.Summary,
                Description = example.Description,
                Value = JsonNode.Parse(example.Value.GetRawText()),
            };
        }
    }
}

/// <summary>The worked examples, shared by Swagger UI, the .http file and the tests.</summary>
public static class WorkedExamples
{
    /// <summary>One example.</summary>
    public sealed record Example(string Summary, string Description, JsonElement Value);

    /// <summary>All examples by name, in file order.</summary>
    public static IReadOnlyList<(string Name, Example Example)> All { get; } = Load();

    private static List<(string, Example)> Load()
    {
        var assembly = typeof(WorkedExamples).Assembly;
        var list = new List<(string, Example)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ClonusCds.Examples.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            var name = resource["ClonusCds.Examples.".Length..^".json".Length];
            list.Add((name, new Example(root.GetProperty("summary").GetString()!, root.GetProperty("description").GetString()!, root.GetProperty("value").Clone())));
        }

        return list;
    }
}
