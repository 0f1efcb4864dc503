using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClonusCds.Api.Security;
using ClonusCds.Core;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
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
            // A nullable object or enum member is written allOf[$ref] + nullable: a bare $ref cannot
            // say "or null" in OpenAPI 3.0, and null is what the answer sends for an unknown value.
            o.UseAllOfToExtendReferenceSchemas();
            o.SchemaFilter<ContractSchemaFilter>();
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

/// <summary>
/// Worked examples for POST /api/v1/assessments (embedded OpenApi/Examples/*.json): each request,
/// and under the 200 response the engine's real answer to it (computed once, at the first
/// document request, with the running knowledge base), under the same name. No hand-written
/// answer can drift from what the engine says.
/// </summary>
internal sealed class AssessmentExamplesFilter(TriageEngine engine, AssessmentJsonWriter writer) : IOperationFilter
{
    private readonly Lazy<IReadOnlyList<(string Name, WorkedExamples.Example Example, string Answer)>> _answers =
        new(() => [.. WorkedExamples.All.Select(e => (e.Name, e.Example, WorkedExamples.Answer(e.Example, engine, writer)))]);

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

        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response
            && response.Content?.TryGetValue("application/json", out var answerMedia) == true && answerMedia is not null)
        {
            answerMedia.Examples ??= new Dictionary<string, IOpenApiExample>();
            foreach (var (name, example, answer) in _answers.Value)
            {
                answerMedia.Examples[name] = new OpenApiExample
                {
                    Summary = example.Summary,
                    Description = "The engine's answer to this worked example (computed by the running service).",
                    Value = JsonNode.Parse(answer),
                };
            }
        }
    }
}

/// <summary>
/// Required and nullable as the contract says. Request: only <c>clonus</c>, <c>clonus.present</c>,
/// <c>medications[].name</c> and <c>treatmentHistory[].treatment</c> are required, and they are not
/// nullable; everything else may be absent or null ("not known"). Response: every member of the
/// assessment and its parts is always written (an unknown value as null, never omitted), so every
/// member is required, except <c>trace</c> and <c>citations</c>, which <c>?view=summary</c> leaves
/// out; nullability follows the C# types.
/// </summary>
internal sealed class ContractSchemaFilter : ISchemaFilter
{
    /// <summary>The request members the contract requires (and that may not be null), by declaring type.</summary>
    internal static readonly IReadOnlyDictionary<Type, string[]> RequiredInRequest = new Dictionary<Type, string[]>
    {
        [typeof(PatientContext)] = ["clonus"],
        [typeof(ClonusFinding)] = ["present"],
        [typeof(MedicationEntry)] = ["name"],
        [typeof(TreatmentTrial)] = ["treatment"],
    };

    /// <summary>Members of the assessment that <c>?view=summary</c> leaves out (always sent otherwise).</summary>
    internal static readonly IReadOnlySet<string> OmittedBySummaryView = new HashSet<string>(StringComparer.Ordinal) { "trace", "citations" };

    /// <summary>The assessment and every record type reachable from it.</summary>
    internal static readonly IReadOnlySet<Type> ResponseTypes = Reachable(typeof(Assessment));

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target || target.Properties is not { Count: > 0 } properties)
        {
            return;
        }

        if (RequiredInRequest.TryGetValue(context.Type, out var names))
        {
            target.Required ??= new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                target.Required.Add(name);
                if (properties.TryGetValue(name, out var property) && property is OpenApiSchema { Type: { } type } member)
                {
                    member.Type = type & ~JsonSchemaType.Null;
                }
            }
        }
        else if (ResponseTypes.Contains(context.Type))
        {
            target.Required ??= new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in properties.Keys)
            {
                if (context.Type == typeof(Assessment) && OmittedBySummaryView.Contains(name))
                {
                    target.Required.Remove(name);
                }
                else
                {
                    target.Required.Add(name);
                }
            }
        }
    }

    private static HashSet<Type> Reachable(Type root)
    {
        var found = new HashSet<Type>();
        var pending = new Stack<Type>([root]);
        while (pending.TryPop(out var type))
        {
            if (!found.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (t.IsGenericType && t.GetGenericArguments() is [var element] && typeof(System.Collections.IEnumerable).IsAssignableFrom(t))
                {
                    t = element;
                }

                if (t.IsClass && t.Namespace == typeof(Assessment).Namespace)
                {
                    pending.Push(t);
                }
            }
        }

        return found;
    }
}

/// <summary>The worked examples, shared by Swagger UI, the .http file and the tests.</summary>
public static class WorkedExamples
{
    /// <summary>One example.</summary>
    public sealed record Example(string Summary, string Description, JsonElement Value);

    /// <summary>
    /// The engine's answer to <paramref name="example"/>, as the endpoint writes it (same writer,
    /// same options): what the 200 examples in the OpenAPI document show.
    /// </summary>
    public static string Answer(Example example, TriageEngine engine, AssessmentJsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(writer);
        var context = example.Value.Deserialize<PatientContext>(ClonusJson.Options)
            ?? throw new InvalidOperationException("A worked example deserialized to null.");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, writer.WriterOptions))
        {
            writer.Write(json, engine.Assess(context));
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

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
