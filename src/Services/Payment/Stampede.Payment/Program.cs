using Stampede.Payment;
using Stampede.ServiceDefaults;
using Stampede.ServiceDefaults.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("payment");
builder.AddPostgres(typeof(PaymentService).Assembly);
builder.AddPaymentModule();

var app = builder.Build();
app.UseServiceDefaults();
app.MapServiceDefaults();
app.MapPaymentApi();
app.Run();
