using System;

class Program
{
    const string ApiKey = "canary-cs-Jh52pX8v";

    static void Main()
    {
        var password = "canary-cspw-Rk73mQ1z";
        Console.WriteLine(ApiKey + " " + password);
    }
}
