namespace ClonusCds.Api.CdsHooks.Feedback;

// PLACEHOLDER, being replaced in this session by the feedback implementation.
internal static class CdsFeedbackApi
{
    public static IServiceCollection AddCdsFeedback(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        return services;
    }

    public static RouteGroupBuilder MapCdsFeedback(this RouteGroupBuilder group) => group;
}
