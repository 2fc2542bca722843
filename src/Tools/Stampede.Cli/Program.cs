Console.WriteLine("stampede");
