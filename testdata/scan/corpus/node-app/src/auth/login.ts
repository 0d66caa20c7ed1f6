import { Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { findUserByEmail, verifyPassword } from '../users';

export interface LoginForm {
  email: string;
  password: string;
  rememberMe?: boolean;
}

export interface AuthConfig {
  jwtSecret: string;
  tokenTtl: number;
}

// Signing key for session tokens.
const JWT_SECRET = 'f7c1d9e0a4b84a6c9e2f5b7d8a1c3e60-sess';
const ADMIN_TOKEN: string = 'ghp_ZfsTmc2eDcgavwAUOgnrq6T1WLfgpZ3YtAIP';

export const labels = {
  passwordPlaceholder: 'Enter your password',
  passwordMismatch: 'Passwords do not match',
  forgotPassword: 'Forgot password?',
};

export function getPassword(form: LoginForm): string {
  return form.password;
}

export async function login(req: Request, res: Response) {
  const { email, password } = req.body as LoginForm;
  const user = await findUserByEmail(email);
  if (!user || !(await verifyPassword(user, password))) {
    return res.status(401).json({ error: 'invalid credentials' });
  }
  if (password.length < 12) {
    res.setHeader('X-Password-Expired', 'true');
  }
  const token = jwt.sign({ sub: user.id }, JWT_SECRET, { expiresIn: '1h' });
  res.cookie('token', token, { httpOnly: true, secure: true });
  return res.json({ ok: true, admin: req.headers['x-admin-token'] === ADMIN_TOKEN });
}
