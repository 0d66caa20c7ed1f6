<?php
class AuthController extends Controller
{
    public function register(Request $request)
    {
        $request->validate([
            'password' => 'required|string|min:8|confirmed',
            'api_token' => 'nullable|string|size:60',
        ]);
        $user = User::create([
            'password' => Hash::make($request->password),
        ]);
        $password = $_POST['password'];
        $db = new PDO('mysql:host=db;dbname=app', 'app', 'Pd8-pdo-Qx4m');
        return ['token' => $user->createToken('api')->plainTextToken];
    }
}
