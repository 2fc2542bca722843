using Stampede.Identity;
using Stampede.ServiceDefaults;
using Stampede.ServiceDefaults.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("identity");
builder.AddPostgres(typeof(IdentityService).Assembly);
builder.AddIdentityModule();

var app = builder.Build();
app.UseServiceDefaults();
app.MapServiceDefaults();
app.MapIdentityApi();
app.Run();
