/** The console's entry point: the bundle's one script, loaded by /console/. */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
