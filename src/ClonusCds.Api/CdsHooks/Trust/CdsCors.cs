namespace ClonusCds.Api.CdsHooks.Trust;

// PLACEHOLDER, being replaced in this session by the CORS implementation.
internal static class CdsCors
{
    public const string Policy = "cds-hooks";

    public static IServiceCollection AddCdsHooksTrust(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        _ = configuration;
        _ = environment;
        services.AddCors(o => o.AddPolicy(Policy, p => p.DisallowCredentials()));
        services.AddSingleton<CdsJwtFilter>();
        return services;
    }
}
